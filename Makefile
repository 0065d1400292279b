# rwshim — build rules. `make` builds build/rwshim and build/librwshim.so.
# `make sanitize` builds the same into build-san/ with ASan+UBSan.
# `make check` runs the whole suite against build/; `make check-sanitize` against build-san/.

PREFIX     ?= /usr/local
BUILD      ?= build
CC         ?= cc
VERSION    := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
HARDEN     := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CFLAGS_ALL := -std=c17 -D_GNU_SOURCE -O2 -g $(WARN) $(HARDEN) -Isrc -DRWSHIM_VERSION='"$(VERSION)"' $(EXTRA_CFLAGS)

# Core files whose first comment says `(preload-safe)` may be linked into the preload library.
CORE_SRC         := $(wildcard src/core/*.c)
CORE_PRELOAD_SRC := $(shell grep -l '(preload-safe)' $(CORE_SRC) /dev/null 2>/dev/null)
PRELOAD_SRC      := $(wildcard src/preload/*.c) $(CORE_PRELOAD_SRC)
CLI_SRC          := $(wildcard src/cli/*.c src/supervisor/*.c src/trace/*.c src/sandbox/*.c src/doctor/*.c) $(CORE_SRC)

# The knowledge base is compiled in (scripts/kb-embed): rwshim reads no data file at run time.
KB_JSON     := $(sort $(wildcard data/kb/*.json))
KB_GEN      := $(BUILD)/gen/kb_embedded.c
CLI_OBJ     := $(patsubst src/%.c,$(BUILD)/obj/cli/%.o,$(CLI_SRC)) $(BUILD)/obj/cli/core/kb_embedded.o
PRELOAD_OBJ := $(patsubst src/%.c,$(BUILD)/obj/pic/%.o,$(PRELOAD_SRC))

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all clean install sanitize check check-sanitize test-deps bench lint fuzz
all: $(BUILD)/rwshim $(BUILD)/librwshim.so $(UNIT_BIN) $(BUILD)/tests/helpers musl $(BUILD)/tests/ctor-helpers

# rwshim is self-contained: static-pie with libseccomp and jansson from their -dev archives, so it
# starts in an image with no C library. The sanitize build (ASan cannot be static) sets CLI_LINK=.
# No CLI code may use NSS (getpwuid...), iconv or dlopen: a static glibc loads the image's modules.
CLI_LINK ?= -static-pie -Wl,-z,relro,-z,now
$(BUILD)/rwshim: $(CLI_OBJ)
	$(CC) $(CFLAGS_ALL) $(CLI_LINK) -o $@ $^ -ljansson -lseccomp $(EXTRA_LDFLAGS)

$(KB_GEN): scripts/kb-embed $(KB_JSON)
	@mkdir -p $(dir $@)
	scripts/kb-embed $@ $(KB_JSON)

$(BUILD)/obj/cli/core/kb_embedded.o: $(KB_GEN) src/core/kb_embedded.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The preload links only libc (and libdl); it exports only the interposed symbols.
$(BUILD)/librwshim.so: $(PRELOAD_OBJ) src/preload/exports.map
	$(CC) $(CFLAGS_ALL) -shared -fPIC -Wl,--version-script=src/preload/exports.map \
	    -Wl,-z,now -Wl,-z,nodelete -o $@ $(PRELOAD_OBJ) -ldl $(EXTRA_LDFLAGS)

$(BUILD)/obj/cli/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/obj/pic/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -fvisibility=hidden -ftls-model=initial-exec -DRW_IN_PRELOAD -c -o $@ $<

# Unit tests link the core objects (not cli/main.o).
$(BUILD)/tests/%: tests/unit/%.c $(filter $(BUILD)/obj/cli/core/%,$(CLI_OBJ)) tests/unit/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(filter $(BUILD)/obj/cli/core/%,$(CLI_OBJ)) -ljansson $(EXTRA_LDFLAGS)

# Test helper programs run inside the sandbox: never sanitized.
$(BUILD)/tests/helpers: $(filter-out tests/helpers/musl_%,$(wildcard tests/helpers/*.c))
	@mkdir -p $@
	@for f in $^; do n=$$(basename $$f .c); \
	  case $$n in static_*) extra=-static;; *) extra=;; esac; \
	  cc -std=c17 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror $$extra -o $@/$$n $$f || exit 1; done
	@touch $@

# ---- musl: the second preload (librwshim-musl.so) and the musl test helpers ----
# Same sources as librwshim.so, compiled against musl's headers and linked against musl's libc
# only. No _FORTIFY_SOURCE: glibc's headers turn it into __*_chk calls musl does not have, and
# musl's own headers ignore it. musl's include dir has no kernel headers (Alpine ships them in
# linux-headers), so the uapi dirs the core needs are linked into one dir of their own.
# Not sanitized: ASan's runtime is glibc's; `make sanitize` passes MUSL_CC= to skip it.
MUSL_CC     ?= $(shell command -v musl-gcc 2>/dev/null)
MUSL_WHY    ?= musl-gcc not found
MUSL_INC    := $(BUILD)/musl-include
MUSL_CFLAGS := -std=c17 -D_GNU_SOURCE -O2 -g $(WARN) -fstack-protector-strong -Isrc -I$(MUSL_INC) \
               -DRWSHIM_VERSION='"$(VERSION)"'
MUSL_OBJ    := $(patsubst src/%.c,$(BUILD)/obj/musl/%.o,$(PRELOAD_SRC))
MUSL_HELPER_SRC := $(wildcard tests/helpers/musl_*.c)
LIBC_HELPER_SRC := $(wildcard tests/helpers/libc_*.c)
KERNEL_INC  ?= /usr/include
KERNEL_ARCH ?= $(shell cc -print-multiarch 2>/dev/null)

.PHONY: musl
ifneq ($(MUSL_CC),)
musl: $(BUILD)/librwshim-musl.so $(BUILD)/tests/musl-helpers
else
musl:
	@echo "rwshim: $(MUSL_WHY): $(BUILD)/librwshim-musl.so and the musl test helpers are not built"
endif

$(MUSL_INC)/.stamp:
	@mkdir -p $(MUSL_INC)
	@ln -sfn $(KERNEL_INC)/linux $(MUSL_INC)/linux
	@ln -sfn $(KERNEL_INC)/asm-generic $(MUSL_INC)/asm-generic
	@ln -sfn $$(if [ -d $(KERNEL_INC)/$(KERNEL_ARCH)/asm ]; then echo $(KERNEL_INC)/$(KERNEL_ARCH)/asm; \
	  else echo $(KERNEL_INC)/asm; fi) $(MUSL_INC)/asm
	@touch $@

$(BUILD)/obj/musl/%.o: src/%.c $(wildcard src/*/*.h) $(MUSL_INC)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -fPIC -fvisibility=hidden -ftls-model=initial-exec -DRW_IN_PRELOAD -c -o $@ $<

$(BUILD)/librwshim-musl.so: $(MUSL_OBJ) src/preload/exports.map
	$(MUSL_CC) $(MUSL_CFLAGS) -shared -fPIC -Wl,--version-script=src/preload/exports.map \
	    -Wl,-z,now -Wl,-z,nodelete -o $@ $(MUSL_OBJ)

# tests/helpers/musl_*.c: programs linked against musl (dynamically: they load the musl preload);
# tests/helpers/libc_*.c, built with cc by the rule above, are built as musl_* too.
$(BUILD)/tests/musl-helpers: $(MUSL_HELPER_SRC) $(LIBC_HELPER_SRC) $(MUSL_INC)/.stamp
	@mkdir -p $(BUILD)/tests/helpers
	@for f in $(MUSL_HELPER_SRC) $(LIBC_HELPER_SRC); do n=musl_$$(basename $$f .c | sed 's/^musl_//; s/^libc_//'); \
	  $(MUSL_CC) -std=c17 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -o $(BUILD)/tests/helpers/$$n $$f || exit 1; done
	@touch $@

# tests/helpers/lib/: a library whose constructor writes, and a program linked against it,
# for glibc (ctor_prog) and, with musl-gcc, for musl (musl_ctor_prog). Never sanitized.
CTOR_SRC := tests/helpers/lib/ctor_writer.c tests/helpers/lib/ctor_prog.c
$(BUILD)/tests/ctor-helpers: $(CTOR_SRC) $(BUILD)/tests/helpers
	@set -e; h=$(BUILD)/tests/helpers; f="-std=c17 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror"; \
	  cc $$f -shared -fPIC -o $$h/libctor_writer.so tests/helpers/lib/ctor_writer.c; \
	  cc $$f -o $$h/ctor_prog tests/helpers/lib/ctor_prog.c -L$$h -Wl,--no-as-needed -lctor_writer -Wl,-rpath,'$$ORIGIN'; \
	  if [ -n "$(MUSL_CC)" ]; then \
	    $(MUSL_CC) $$f -shared -fPIC -o $$h/libmusl_ctor_writer.so tests/helpers/lib/ctor_writer.c; \
	    $(MUSL_CC) $$f -o $$h/musl_ctor_prog tests/helpers/lib/ctor_prog.c -L$$h -Wl,--no-as-needed -lmusl_ctor_writer -Wl,-rpath,'$$ORIGIN'; fi
	@touch $@

sanitize:
	$(MAKE) BUILD=build-san CLI_LINK= MUSL_CC= MUSL_WHY="sanitized build (ASan's runtime is glibc's)" EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined"

check: all
	RWSHIM_BUILD=$(abspath $(BUILD)) tests/run

check-sanitize: sanitize
	RWSHIM_BUILD=$(abspath build-san) RWSHIM_SANITIZED=1 tests/run

# The installed tree, also the layout of make dist: rwshim finds everything relative to itself.
# The knowledge base is inside rwshim; share/rwshim/kb/ may hold local additions (docs/deploy.md).
define install_tree # $(1): destination root
	install -d $(1)/bin $(1)/lib/rwshim $(1)/share/rwshim/python $(1)/share/man/man1 \
	    $(1)/share/bash-completion/completions
	install -m 0755 $(BUILD)/rwshim $(1)/bin/rwshim
	install -m 0644 $(BUILD)/librwshim.so $(1)/lib/rwshim/librwshim.so
	if [ -f $(BUILD)/librwshim-musl.so ]; then \
	    install -m 0644 $(BUILD)/librwshim-musl.so $(1)/lib/rwshim/librwshim-musl.so; fi
	install -m 0644 data/python/sitecustomize.py $(1)/share/rwshim/python/sitecustomize.py
	install -m 0644 docs/rwshim.1 $(1)/share/man/man1/rwshim.1
	install -m 0644 data/completion/rwshim.bash $(1)/share/bash-completion/completions/rwshim
endef

# An install made before the knowledge base was built in copied data/ to share/rwshim (with
# kb.schema.json): its kb/<tool>.json would now override the newer built-in entries. Remove the
# copies of built-in names; files of other names are local additions and stay.
install: all
	$(call install_tree,$(DESTDIR)$(PREFIX))
	@old=$(DESTDIR)$(PREFIX)/share/rwshim; if [ -f $$old/kb.schema.json ]; then \
	    echo "rwshim: removing the knowledge-base copy of an older install from $$old"; \
	    for f in $(notdir $(KB_JSON)); do rm -f $$old/kb/$$f; done; rm -f $$old/kb.schema.json; \
	    rmdir $$old/kb 2>/dev/null || true; fi

# make dist: $(BUILD)/dist/rwshim-<version>-x86_64-linux.tar.gz and its .sha256 (sha256sum -c).
# The tar is reproducible: sorted names, root owner, mtime of the last commit.
DIST_NAME  := rwshim-$(VERSION)-$(shell uname -m)-linux
DIST_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
STRIP      ?= strip
.PHONY: dist
dist: all
	rm -rf $(BUILD)/dist/$(DIST_NAME) $(BUILD)/dist/$(DIST_NAME).tar.gz*
	$(call install_tree,$(BUILD)/dist/$(DIST_NAME))
	$(STRIP) --strip-debug $(BUILD)/dist/$(DIST_NAME)/bin/rwshim $(BUILD)/dist/$(DIST_NAME)/lib/rwshim/*.so
	install -d $(BUILD)/dist/$(DIST_NAME)/share/doc/rwshim
	install -m 0644 README.md docs/deploy.md $(BUILD)/dist/$(DIST_NAME)/share/doc/rwshim/
	tar -C $(BUILD)/dist --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$(DIST_EPOCH) \
	    -cf - $(DIST_NAME) | gzip -n -9 > $(BUILD)/dist/$(DIST_NAME).tar.gz
	cd $(BUILD)/dist && sha256sum $(DIST_NAME).tar.gz > $(DIST_NAME).tar.gz.sha256
	@echo "$(BUILD)/dist/$(DIST_NAME).tar.gz"

bench: all
	bench/run

lint:
	clang-tidy $(CLI_SRC) $(wildcard src/preload/*.c) -- $(CFLAGS_ALL)
	cppcheck --error-exitcode=1 --enable=warning,portability -q -Isrc -D_GNU_SOURCE src

clean:
	rm -rf build build-san

# libFuzzer targets (tests/fuzz/fuzz_*.c), one per reader of data rwshim does not control:
# `make fuzz FUZZ_SECONDS=60` builds them under ASan+UBSan and runs each for FUZZ_SECONDS on
# its corpus (build/fuzz/corpus/<name>, seeded from tests/fuzz/seeds/<name> and, for the
# knowledge base, data/kb). A crash fails the target; the reproducer is left in build/fuzz/.
# `make fuzz-build` only builds. FUZZ=name selects one target.
FUZZ_SECONDS ?= 30
FUZZ_DIR     := build/fuzz
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -DRWSHIM_VERSION='"$(VERSION)"' -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_ALL     := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ         ?= $(FUZZ_ALL)
FUZZ_CORE    := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(CORE_SRC))
FUZZ_TRACE   := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(wildcard src/trace/*.c))
FUZZ_DOCTOR  := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(wildcard src/doctor/*.c))
# core/kb.c reads the knowledge base compiled into rwshim: the fuzz targets link it too.
FUZZ_KB_GEN  := $(FUZZ_DIR)/gen/kb_embedded.c
FUZZ_CORE    += $(FUZZ_DIR)/obj/core/kb_embedded.o

$(FUZZ_KB_GEN): scripts/kb-embed $(KB_JSON)
	@mkdir -p $(dir $@)
	scripts/kb-embed $@ $(KB_JSON)

$(FUZZ_DIR)/obj/core/kb_embedded.o: $(FUZZ_KB_GEN) src/core/kb_embedded.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE) $(FUZZ_TRACE) $(FUZZ_DOCTOR)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_CORE) \
	    $(if $(filter events from_trace,$*),$(FUZZ_TRACE)) $(if $(filter from_trace,$*),$(FUZZ_DOCTOR)) -ljansson

.PHONY: fuzz-build
fuzz-build: $(addprefix $(FUZZ_DIR)/,$(FUZZ))

fuzz: fuzz-build
	@for t in $(FUZZ); do \
	  c=$(FUZZ_DIR)/corpus/$$t; mkdir -p $$c; \
	  [ -d tests/fuzz/seeds/$$t ] && cp -n tests/fuzz/seeds/$$t/* $$c/ 2>/dev/null; \
	  [ $$t = fuzz_kb ] && cp -n data/kb/*.json $$c/ 2>/dev/null; \
	  out=$$(cd $(FUZZ_DIR) && RWSHIM_FUZZ_DATA=$(abspath data) ./$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	        -print_final_stats=1 -artifact_prefix=./$$t- corpus/$$t 2>&1); st=$$?; \
	  runs=$$(echo "$$out" | sed -n 's/^stat::number_of_executed_units: *//p'); \
	  if [ $$st -ne 0 ]; then echo "$$out" | tail -n 40; echo "$$t: FAILED after $$runs runs"; exit 1; fi; \
	  echo "$$t: $$runs runs, no crash"; \
	done
