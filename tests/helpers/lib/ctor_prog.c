/* Linked against ctor_writer: prints what the library's constructor left in $CTOR_DIR. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
        char path[4096], line[128] = "";
        const char *dir = getenv("CTOR_DIR");

        snprintf(path, sizeof(path), "%s/ctor-dir/state", dir ? dir : "");
        FILE *f = fopen(path, "r");
        if (!f || !fgets(line, sizeof(line), f)) {
                perror(path);
                return 1;
        }
        fclose(f);
        printf("%s", line);
        return 0;
}
