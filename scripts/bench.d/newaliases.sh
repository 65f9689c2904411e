# shellcheck shell=bash
# scripts/bench.d/newaliases.sh — newaliases against Postfix's postalias
# on the same 100,000-entry aliases file.  Sourced by scripts/bench.

BENCHES="$BENCHES newaliases"
# shellcheck disable=SC2034  # read through ${!name}
DESC_newaliases="compile a 100,000-entry aliases file: newaliases vs postalias"
NA_ENTRIES=${NA_ENTRIES:-100000}
NA_RUNS=${NA_RUNS:-7}
NA_TARGET=0.5

# A file like a big site's: single users, lists, remote forwards,
# continuation lines, comments, quoted commands and files.
na_make_file() {
	awk -v n="$NA_ENTRIES" 'BEGIN {
		print "# generated for scripts/bench newaliases"
		for (i = 0; i < n; i++) {
			k = i % 10
			if (k == 0) printf "# group %d\n", i / 10
			if (k < 5)
				printf "user%06d: u%06d\n", i, i
			else if (k < 7)
				printf "fwd%06d: person%06d@example.com\n", i, i
			else if (k == 7)
				printf "list%06d: u%06d, u%06d,\n\tu%06d, other%06d@example.org\n", i, i, i + 1, i + 2, i
			else if (k == 8)
				printf "prog%06d: \"|/usr/bin/procmail -a %06d\"\n", i, i
			else
				printf "arch%06d: /var/spool/archive/%06d, \\u%06d\n", i, i, i
		}
	}' > "$1"
}

# median and min of the numbers on stdin
na_stats() { sort -n | awk '{ a[NR] = $1 } END { printf "%.4f %.4f", a[int((NR + 1) / 2)], a[1] }'; }

na_time() {	# na_time CMD...: seconds, or "fail"
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>>"$WORK/newaliases.err" || { echo fail; return; }
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

bench_newaliases() {
	local file pfile conf pf="" hk="" i t ok=0 pmed pmin hmed hmin
	workdir
	# the same file twice: each side writes its own aliases.db beside it
	file=$WORK/na/hikyaku/aliases
	pfile=$WORK/na/postfix/aliases
	mkdir -p "$WORK/na/hikyaku" "$WORK/na/postfix"
	na_make_file "$file"
	cp "$file" "$pfile"
	say "scripts/bench: newaliases: $(grep -c '^[a-z]' "$file") entries, $(stat -c %s "$file") bytes"
	conf=$WORK/na/hikyaku.conf
	printf 'aliases = %s\nlog = %s/na/log\n' "$file" "$WORK" > "$conf"
	if [ -z "$ONLY" ] || [ "$ONLY" = postfix ]; then
		if postfix_install && command -v postalias >/dev/null 2>&1; then
			for ((i = 0; i < NA_RUNS; i++)); do
				pf="$pf $(na_time postalias "$pfile")"
				if [ -z "$ONLY" ]; then
					hk="$hk $(na_time env HIKYAKU_CONF="$conf" "$HIKYAKU" newaliases)"
				fi
			done
			postalias -q user050000 "$pfile" | grep -qx u050000 ||
				{ say "scripts/bench: postalias: lookup of user050000 failed"; ok=1; }
		else
			say "scripts/bench: newaliases: postalias is not available"
			ok=1
		fi
	fi
	if [ "$ONLY" = hikyaku ]; then
		for ((i = 0; i < NA_RUNS; i++)); do
			hk="$hk $(na_time env HIKYAKU_CONF="$conf" "$HIKYAKU" newaliases)"
		done
	fi
	if [ -n "$hk" ]; then
		t=$(HIKYAKU_CONF=$conf "$HIKYAKU" newaliases)
		case $t in
		*": $NA_ENTRIES aliases,"*) ;;
		*) say "scripts/bench: newaliases said: $t"; ok=1 ;;
		esac
	fi
	case $pf in *fail*) say "scripts/bench: newaliases: postalias failed:"
		tail -3 "$WORK/newaliases.err" >&2; pf=""; ok=1 ;; esac
	case $hk in *fail*) say "scripts/bench: newaliases: hikyaku failed:"
		tail -3 "$WORK/newaliases.err" >&2; hk=""; ok=1 ;; esac
	printf '\nnewaliases, %s entries, %s runs each (median, min)\n' "$NA_ENTRIES" "$NA_RUNS"
	[ -n "$pf" ] && { read -r pmed pmin <<< "$(tr ' ' '\n' <<< "$pf" | grep . | na_stats)"
		printf '  %-8s %8s s  %8s s\n' postalias "$pmed" "$pmin"; }
	[ -n "$hk" ] && { read -r hmed hmin <<< "$(tr ' ' '\n' <<< "$hk" | grep . | na_stats)"
		printf '  %-8s %8s s  %8s s\n' hikyaku "$hmed" "$hmin"; }
	if [ -n "$pf" ] && [ -n "$hk" ]; then
		awk -v p="$pmed" -v h="$hmed" -v g="$NA_TARGET" 'BEGIN {
			r = (p > 0) ? h / p : 0
			printf "  %-8s %8.2f    (hikyaku / postalias; target: <= %.2f%s)\n", "ratio", r, g, (r <= g) ? "" : ", missed"
		}'
	fi
	echo
	return $ok
}
