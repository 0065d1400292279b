# bash completion for rwshim (installed as share/bash-completion/completions/rwshim).
# Completes the subcommand, its options and their values; after `--` or the first non-option
# word, the wrapped command is completed as bash would complete it alone.

_rwshim_opts() {
    case $1 in
        run)    echo "--upper --memory --only --exclude -v --verbose --" ;;
        diff)   echo "--upper --json" ;;
        trace)  echo "--json -o --all -v --verbose --" ;;
        check)  echo "--writable --json --backend --suggest -v --verbose --" ;;
        doctor) echo "--format --from --user" ;;
        help)   echo "run diff trace check doctor" ;;
    esac
}

_rwshim() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} sub="" i
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        mapfile -t COMPREPLY < <(compgen -W "run diff trace check doctor help --help --version" -- "$cur")
        return
    fi
    sub=${COMP_WORDS[1]}
    # The wrapped command starts after `--` or at the first word that is not an option or a value.
    for ((i = 2; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --) break ;;
            --upper|--only|--exclude|--writable|--backend|--format|--from|--user|-o) i=$((i + 1)) ;;
            -*) ;;
            *) [ "$sub" = doctor ] || [ "$sub" = diff ] || break ;;
        esac
    done
    if [ "$i" -lt "$COMP_CWORD" ] && [ "$sub" != doctor ] && [ "$sub" != diff ]; then
        [ "${COMP_WORDS[i]}" = -- ] && i=$((i + 1))
        if declare -F _command_offset >/dev/null; then
            _command_offset "$i"
        else
            mapfile -t COMPREPLY < <(compgen -c -- "$cur")
        fi
        return
    fi
    case $prev in
        --upper|--only|--exclude|--writable)
            mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
        -o|--from)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --format)
            mapfile -t COMPREPLY < <(compgen -W "text json dockerfile kubernetes compose" -- "$cur"); return ;;
        --backend)
            mapfile -t COMPREPLY < <(compgen -W "landlock userns" -- "$cur"); return ;;
        --user)
            return ;;
    esac
    if [ "$sub" != help ] && [[ $cur != -* ]] && [ "$sub" != doctor ] && [ "$sub" != diff ]; then
        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -W "$(_rwshim_opts "$sub")" -- "$cur")
}
complete -F _rwshim rwshim
