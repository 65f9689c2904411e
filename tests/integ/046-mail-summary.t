#!/bin/sh
# mail -H: the summary line byte for byte as Debian 12's bsd-mailx
# prints it (the "f *" command), for ASCII messages: the sender as its
# skin() picks it (From:, else Sender:, else the From_ line; no <>, the
# words kept; comments out; " at "; UUCP paths), the subject as its
# hfield() joins folds and repeated fields, lines and bytes as it counts
# them (a CR LF line one byte less, a line past 8,191 bytes as several).
#
# Against bsd-mailx itself when it is there ($BSD_MAILX, or bsd-mailx
# in PATH; Debian's binary may be unpacked anywhere with `apt-get
# download bsd-mailx` and `dpkg-deb -x`), else against the lines below,
# which are its output for this mailbox (Debian 12, bsd-mailx
# 8.1.2-0.20220412cvs-1).  Then what hikyaku adds: decoded RFC 2047,
# display widths (a wide character is 2 columns and never cut), and no
# control character in the line.
. "$(dirname "$0")/lib.sh"
export MAILRC=/dev/null HOME="$T"

python3 - "$T/box" <<'PY'
import sys
msgs = []
def m(hdr, body="body\n", env="From a@b Sat Jul  9 23:36:00 1994", nl="\n"):
    t = env + "\n" + hdr + "\n" + body + "\n"
    msgs.append(t.replace("\n", nl))
m("From: Big Bug bb@bug.com\nSubject: one\n")
m("From: pete(his account)@silly.test\nSubject: two\n")
m('From: "Joe Q. Public" <john.q.public@example.com>\nSubject: crlf\n',
  body="body\nmore\n", nl="\r\n")
m("Subject: no from header, a long subject line that goes on and on and on\n",
  env="From x@y Sun Jul 10 01:02:03 1994")
m("From: x@y\n")
m("Sender: snd@host.example\nSubject: sender only\n")
m("From: host1!host2!host3!user\nSubject: bang\n")
m("From: Tab\tName <t@x>\nSubject: tab\n")
m("From: First\n Second <fold@x.example>\nSubject: folded\n")
m("From: a at b.example\nSubject: at\n")
m("From: undisclosed-recipients:;\nSubject: group\n")
m('From: "quoted \\" name" stuff@x\nSubject: quoted no angle\n')
m("From: a@x, b@y\nSubject: two addrs\n")
m("From: (only comment)\nSubject: comment only\n")
m("From:\nSubject: empty from\n")
m("From: a@x\nSubject:\n")
m("From: a@x\nSubject:    leading spaces\n")
m("From: a@x\nSubject: big\n", body="x" * 120000 + "\n")
m("From: a@x\nSubject: folded\n  subject line\n")
m("From: Mixed <m@x> (comment)\nSubject: c\n")
m("from: lower@x\nSUBJECT: upper\n")
m("From: one@x\nFrom: two@y\nSubject: two froms\nSubject: second subj\n")
m("Subject: env only\n", env="From env@sender.example Sat Jul  9 23:36:00 1994")
m("From: <>\nSubject: empty angle\n")
m("From: a@x\nSubject: x\n", body="l\n" * 12345)
m("From: postmaster@nsfnet-relay.ac.uk\nSubject: WARNING: message delayed at \"nsfnet-relay.ac.uk\"\n",
  body="line\n" * 23, nl="\r\n")
m("From: a@x\nSubject: mixed ends\n", body="crlf\r\nlf\ncrlf\r\n")
m("From: a@x\nSubj: old name\n")
open(sys.argv[1], "w", newline="").write("".join(msgs))
PY

cat > "$T/want" <<'WANT'
>N  1 Big Bug bb@bug.co  Sat Jul  9 23:36    6/79    one
 N  2 pete@silly.test    Sat Jul  9 23:36    6/89    two
 N  3 john.q.public@exa  Sat Jul  9 23:36    7/110   crlf
 N  4 x@y                Sun Jul 10 01:02    5/113   no from header, a long subj
 N  5 x@y                Sat Jul  9 23:36    5/51    
 N  6 snd@host.example   Sat Jul  9 23:36    6/87    sender only
 N  7 host3!user         Sat Jul  9 23:36    6/84    bang
 N  8 t@x                Sat Jul  9 23:36    6/75    tab
 N  9 fold@x.example     Sat Jul  9 23:36    7/94    folded
 N 10 a@b.example        Sat Jul  9 23:36    6/74    at
 N 11 undisclosed-recip  Sat Jul  9 23:36    6/87    group
 N 12 quoted " name stu  Sat Jul  9 23:36    6/97    quoted no angle
 N 13 a@x, b@y           Sat Jul  9 23:36    6/75    two addrs
 N 14                    Sat Jul  9 23:36    6/84    comment only
 N 15                    Sat Jul  9 23:36    6/67    empty from
 N 16 a@x                Sat Jul  9 23:36    6/60    
 N 17 a@x                Sat Jul  9 23:36    6/78    leading spaces
 N 18 a@x                Sat Jul  9 23:36   20/120060 big
 N 19 a@x                Sat Jul  9 23:36    7/82    folded subject line
 N 20 m@x                Sat Jul  9 23:36    6/80    c
 N 21 lower@x            Sat Jul  9 23:36    6/70    upper
 N 22 one@x two@y        Sat Jul  9 23:36    8/105   two froms second subj
 N 23 env@sender.exampl  Sat Jul  9 23:36    5/74    env only
 N 24                    Sat Jul  9 23:36    6/71    empty angle
 N 25 a@x                Sat Jul  9 23:36 12350/24747 x
 N 26 postmaster@nsfnet  Sat Jul  9 23:36   28/245   WARNING: message delayed at
 N 27 a@x                Sat Jul  9 23:36    8/79    mixed ends
 N 28 a@x                Sat Jul  9 23:36    6/66    old name
WANT

hk mail -H -f "$T/box" > "$T/got" 2>&1; rc=$?
is "$rc" 0 "-H: exit 0"

bsd=${BSD_MAILX:-$(command -v bsd-mailx 2>/dev/null)}
if [ -n "$bsd" ] && [ -x "$bsd" ]; then
	cp "$T/box" "$T/box2"
	printf 'f *\nx\n' | "$bsd" -N -f "$T/box2" 2>&1 |
	    grep -E '^[ >]. {0,2}[0-9]+ ' > "$T/bsd"
	n=$(wc -l < "$T/got")
	is "$(wc -l < "$T/bsd")" "$n" "bsd-mailx ($bsd) lists as many messages"
	i=0
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		is "$(sed -n "${i}p" "$T/got")" "$(sed -n "${i}p" "$T/bsd")" \
		    "message $i: the line bsd-mailx prints"
	done
else
	echo "# bsd-mailx not found (set BSD_MAILX): against its recorded lines"
	i=0
	while IFS= read -r line; do
		i=$((i + 1))
		is "$(sed -n "${i}p" "$T/got")" "$line" \
		    "message $i: the line bsd-mailx printed"
	done < "$T/want"
fi

# beyond bsd-mailx: RFC 2047 decoded, cut by display width, no controls
python3 - "$T/box3" <<'PY'
import sys
env = "From a@b Sat Jul  9 23:36:00 1994\n"
t = env + "From: =?UTF-8?B?5bGx55Sw5aSq6YOO?= taro@example.jp\n"
t += "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?= "
t += "=?UTF-8?B?44Go44Gm44KC6ZW344GE5Lu25ZCN44Gn44GZ44CC44GT44KM44Gv5YiH44KJ44KM44KL?=\n\nbody\n\n"
t += env + "From: evil\x1b[31m@x\nSubject: red\x1b[0m\x07 bell\n\nbody\n\n"
open(sys.argv[1], "w").write(t)
PY
hk mail -H -f "$T/box3" > "$T/got3"
is "$(sed -n 1p "$T/got3")" ">N  1 山田太郎 taro@exa  Sat Jul  9 23:36    6/225   日本語の件名とても長い件名" \
    "sender and subject decoded, cut at 17 and 27 columns, never inside a character"
is "$(sed -n 2p "$T/got3")" " N  2 evil�[31m@x        Sat Jul  9 23:36    6/82    red�[0m� bell" \
    "ESC and BEL in the sender and subject shown as U+FFFD"

# nothing from a message reaches the terminal raw, in any command: the
# From_ line, a field name, a line that is no field, a value, the body
printf 'From evil\033]0;x\007@x Sat Jul  9 23:36:00 1994\nFrom: a\033[5m@x\nX-Bad\033[31m: v\033[0m\nno colon \033[2J line\nSubject: s\033c\n\nbody \033[1m \233 \302\233\n' > "$T/esc"
for cmd in "p 1" "t 1" "top 1" "P 1" "h" "f 1" "z"; do
	printf '%s\nx\n' "$cmd" | hk mail -N -f "$T/esc" > "$T/out" 2>&1
	n=$(tr -cd '\000-\010\013-\037\177' < "$T/out" | wc -c)
	c1=$(LC_ALL=C grep -c "$(printf '\302[\200-\237]')" "$T/out")
	is "$n/$c1" "0/0" "'$cmd': no C0 or C1 control from the message on the terminal"
done
printf 'p 1\nx\n' | hk mail -N -f "$T/esc" > "$T/out" 2>&1
like "$(cat "$T/out")" "X-Bad�\\[31m: v�\\[0m" "the field name is shown, its ESC as U+FFFD"
like "$(cat "$T/out")" "no colon �\\[2J line" "a line that is no field too"
like "$(cat "$T/out")" "From evil�\\]0;x�@x" "and the From_ line"
done_testing
