# shellcheck shell=bash
# scripts/bench.d/mail.sh — `mail -H -f` on a big mbox, hikyaku against
# s-nail (Debian's package), sourced by scripts/bench.
#
#   scripts/bench mail                  the default: 20,000 messages, 7 runs each
#   MAIL_MSGS=2000 scripts/bench mail   a quick run
#   MAIL_RUNS=15 scripts/bench mail     more runs per side
#
# The mbox is generated (the same bytes every time): Return-Path, two
# Received, From with display names (some RFC 2047), To, Subject (one in
# five RFC 2047, Japanese), Date, Message-ID, Status on every other
# message, bodies of 2 to 13 lines; 20,000 messages make about 17 MB.
# Both programs only read it: hikyaku with -H, s-nail with -H -R
# (read-only) and -:/ (no start-up files).  They run alternately, output
# to /dev/null, after one checked run each (one summary line per
# message).  The figures are the median and the best of the runs.

BENCHES="$BENCHES mail"
# shellcheck disable=SC2034  # read through ${!name}
DESC_mail="mail -H -f on a 20,000-message, 17 MB mbox (MAIL_MSGS), against s-nail -H"
MAIL_MSGS=${MAIL_MSGS:-20000}
MAIL_RUNS=${MAIL_RUNS:-7}
MAIL_TARGET=1	# hikyaku's time at most s-nail's

# mail_gen FILE COUNT: the benchmark's mbox, deterministic.
mail_gen() {
	awk -v n="$2" 'BEGIN {
		srand(20261128)
		split("Alice Liddell|Bob Marley|Carol King|Dave Grohl|Eve Online|Frank Zappa|Grace Hopper|Heidi Klum", names, "|")
		split("alice|bob|carol|dave|eve|frank|grace|heidi", users, "|")
		split("Mon|Tue|Wed|Thu|Fri|Sat|Sun", wd, "|")
		split("Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec", mon, "|")
		split("quarterly report|lunch on friday|build failed on main|re: the meeting notes|invoice 2026-11|weekend plans|server maintenance window|new office keys", subj, "|")
		jp[1] = "=?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?="
		jp[2] = "=?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?="
		jp[3] = "=?UTF-8?Q?=E4=BC=9A=E8=AD=B0=E3=81=AE=E4=BB=B6?="
		line = "The quick brown fox jumps over the lazy dog; pack my box with five dozen jugs."
		for (i = 1; i <= n; i++) {
			k = int(rand() * 8) + 1
			d = int(rand() * 28) + 1; h = int(rand() * 24); mi = int(rand() * 60); s = int(rand() * 60)
			m = int(rand() * 12) + 1; w = int(rand() * 7) + 1
			date = sprintf("%s %s %2d %02d:%02d:%02d 2026", wd[w], mon[m], d, h, mi, s)
			printf "From %s@example.org %s\n", users[k], date
			printf "Return-Path: <%s@example.org>\n", users[k]
			printf "Received: from mail.example.org (mail.example.org [192.0.2.%d])\n\tby mx.test.example (hikyaku) with ESMTP id %08X;\n\t%s, %d %s 2026 %02d:%02d:%02d +0000\n", k, i, wd[w], d, mon[m], h, mi, s
			printf "Received: by mail.example.org (hikyaku, from userid 1000)\n\tid %08Xa; %s, %d %s 2026 %02d:%02d:%02d +0000\n", i, wd[w], d, mon[m], h, mi, s
			if (i % 7 == 0)
				printf "From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= <%s@example.org>\n", users[k]
			else
				printf "From: %s <%s@example.org>\n", names[k], users[k]
			printf "To: bench@test.example\n"
			if (i % 5 == 0)
				printf "Subject: %s\n", jp[(i / 5) % 3 + 1]
			else
				printf "Subject: %s #%d\n", subj[int(rand() * 8) + 1], i
			printf "Date: %s, %d %s 2026 %02d:%02d:%02d +0000\n", wd[w], d, mon[m], h, mi, s
			printf "Message-ID: <%d.%08X@example.org>\n", i, int(rand() * 2147483647)
			printf "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
			if (i % 2 == 0)
				printf "Status: RO\n"
			printf "\n"
			nl = int(rand() * 12) + 2
			for (j = 0; j < nl; j++)
				printf "%s\n", substr(line, 1, int(rand() * 60) + 10)
			printf "\n"
		}
	}' > "$1"
}

snail_install() {
	command -v s-nail >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -ne 0 ]; then
		say "scripts/bench: s-nail is not installed; as root run:"
		say "  apt-get install -y s-nail"
		return 1
	fi
	say "scripts/bench: installing s-nail"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq s-nail >"$WORK/apt-snail.log" 2>&1; then
		apt-get update -qq >>"$WORK/apt-snail.log" 2>&1
		apt-get install -y -qq s-nail >>"$WORK/apt-snail.log" 2>&1 || {
			tail -20 "$WORK/apt-snail.log" >&2
			say "scripts/bench: installing s-nail failed"
			return 1
		}
	fi
}

# The two commands, each reading $MBF and writing the summary.
mail_hk() {
	HIKYAKU_CONF=$WORK/mail-bench.conf MAILRC=/dev/null HOME=$WORK \
		"$HIKYAKU" mail -n -H -f "$MBF" </dev/null
}
mail_snail() {
	LC_ALL=C.UTF-8 HOME=$WORK MAILRC=/dev/null \
		s-nail -:/ -R -H -f "$MBF" </dev/null
}

# mail_time CMD: seconds for one run, output to /dev/null.
mail_time() {
	local t0 t1
	t0=$(now)
	"$1" >/dev/null 2>&1
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

# median and minimum of the numbers on stdin: "MEDIAN MIN"
mail_stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.4f %.4f\n", m, v[1]
	}'
}

bench_mail() {
	local ok=0 side lines i hk_st sn_st sides=""
	workdir
	MBF=$WORK/mail-bench.mbox
	: > "$WORK/mail-bench.conf"
	say "scripts/bench: mail: generating $MAIL_MSGS messages"
	mail_gen "$MBF" "$MAIL_MSGS"
	say "scripts/bench: mail: $(grep -c '^From ' "$MBF") messages, $(stat -c %s "$MBF") bytes"
	if [ -z "$ONLY" ] || [ "$ONLY" = hikyaku ]; then
		if [ ! -x "$HIKYAKU" ]; then
			say "scripts/bench: $HIKYAKU: no such binary (make, or set HIKYAKU)"
			ok=1
		else
			lines=$(mail_hk | wc -l)
			if [ "$lines" -ne "$MAIL_MSGS" ]; then
				say "scripts/bench: mail: hikyaku printed $lines summary lines, not $MAIL_MSGS"
				mail_hk 2>&1 | head -5 >&2
				ok=1
			else
				sides="$sides hk"
			fi
		fi
	fi
	if [ -z "$ONLY" ] || [ "$ONLY" = postfix ] || [ "$ONLY" = s-nail ]; then
		if snail_install; then
			lines=$(mail_snail | wc -l)
			if [ "$lines" -ne "$MAIL_MSGS" ]; then
				say "scripts/bench: mail: s-nail printed $lines summary lines, not $MAIL_MSGS"
				mail_snail 2>&1 | head -5 >&2
				ok=1
			else
				sides="$sides sn"
			fi
		else
			ok=1
		fi
	fi
	: > "$WORK/mail-hk.times"
	: > "$WORK/mail-sn.times"
	for ((i = 0; i < MAIL_RUNS; i++)); do
		case $sides in *hk*) mail_time mail_hk >> "$WORK/mail-hk.times" ;; esac
		case $sides in *sn*) mail_time mail_snail >> "$WORK/mail-sn.times" ;; esac
	done
	printf '\nmail -H -f, %s messages (%s bytes), %s runs each (median / best)\n' \
		"$MAIL_MSGS" "$(stat -c %s "$MBF")" "$MAIL_RUNS"
	hk_st= sn_st=
	for side in sn hk; do
		case $sides in *$side*) ;; *) continue ;; esac
		read -r med min < <(mail_stats < "$WORK/mail-$side.times")
		printf '  %-8s %8s s  %8s s\n' "$([ $side = hk ] && echo hikyaku || echo s-nail)" "$med" "$min"
		printf -v "${side}_st" '%s' "$med"
	done
	if [ -n "$hk_st" ] && [ -n "$sn_st" ]; then
		awk -v s="$sn_st" -v h="$hk_st" -v g="$MAIL_TARGET" 'BEGIN {
			r = (h > 0) ? s / h : 0
			printf "  %-8s %7.2fx   (s-nail / hikyaku, medians; target: >= %dx%s)\n",
			    "ratio", r, g, (r >= g) ? "" : ", missed"
		}'
	fi
	echo
	return $ok
}
