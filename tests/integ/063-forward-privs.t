#!/bin/sh
# What a ~/.forward asks for is done as its owner, with their groups:
# root's queue run reads the .forward and its :include: files as the
# user (so an include of a file only root may reach is not read, and
# none of it shows in a bounce or the log), and a /file or |command
# runs with the user's supplementary groups from the system group
# database.  The group part adds a user and a group to an overlay of
# /etc in a private mount namespace, so the real /etc is not touched.
HK_WANT_NS=1
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "reading as the .forward's owner needs root"
	skip "supplementary groups need root"
	done_testing
fi

instance
echo "default_user = carol" >> "$I/hikyaku.conf"
: > "$I/aliases"
hk newaliases >/dev/null

# forward FILE-CONTENT USER UID:GID
forward() {
	printf '%b' "$1" > "$I/home/$2/.forward"
	chmod 644 "$I/home/$2/.forward"
	chown "$3" "$I/home/$2/.forward"
}

# --- an include alice may not read, readable by all in a root-only dir
mkdir "$T/rootonly"
chmod 0700 "$T/rootonly"
printf 'carol\nsecretname\n' > "$T/rootonly/secret"
chmod 0644 "$T/rootonly/secret"
forward ":include:$T/rootonly/secret\nbob\n" alice "$UID_ALICE:$GID_USERS"
printf 'Subject: inc\n\nhi\n' | hk sendmail -odq -i alice
hk sendmail -q
is "$(mbox_count "$I/mail/bob")" 1 "the rest of alice's .forward is delivered"
is "$(mbox_count "$I/mail/carol")" 0 "the address in the include alice may not read gets nothing"
grep -rq secretname "$I/mail" "$I/log"
is $? 1 "its lines are in no mailbox, bounce or log line"
like "$(hk mailq; cat "$I/log")" "include file $T/rootonly/secret: Permission denied" "the include failed: Permission denied"
hk sendmail -q
grep -rq secretname "$I/mail" "$I/log" "$I/spool"
is $? 1 "nor after root's queue run"
rm -f "$I/home/alice/.forward"

# --- supplementary groups, in a private overlay of /etc
if [ -z "${HK_NS:-}" ]; then
	skip "no private mount namespace (unshare -m)"
	done_testing
fi
mkdir "$T/up" "$T/work"
if ! mount -t overlay overlay \
    -o "lowerdir=/etc,upperdir=$T/up,workdir=$T/work" /etc 2>/dev/null; then
	skip "no overlay file system over /etc"
	done_testing
fi
G=4299
getent group "$GID_USERS" >/dev/null || groupadd -g "$GID_USERS" hkusers
getent group "$G" >/dev/null || groupadd -g "$G" hktgroup
getent passwd hkfwd >/dev/null ||
    useradd -M -N -u 4211 -g "$GID_USERS" -G "$G" -d "$I/home/hkfwd" hkfwd
ok $? "a system user hkfwd in group $G (in the overlay)"
echo "hkfwd:x:4211:$GID_USERS:Fwd:$I/home/hkfwd:/bin/sh" >> "$I/passwd"
mkdir -p "$I/home/hkfwd"
chown "4211:$GID_USERS" "$I/home/hkfwd"
mkdir "$T/shared"
chown "0:$G" "$T/shared"
chmod 0770 "$T/shared"
forward "$T/shared/box\n\"|id -G > $T/shared/ids\"\n" hkfwd "4211:$GID_USERS"
printf 'Subject: grp\n\nhi\n' | hk sendmail -odq -i hkfwd
hk sendmail -q
is "$(mbox_count "$T/shared/box")" 1 "a /file in a directory of a supplementary group is written"
like " $(cat "$T/shared/ids" 2>/dev/null) " " $G " "a |command has the supplementary group (id -G)"
is "$(stat -c %u "$T/shared/box" 2>/dev/null)" 4211 "the file is written as the user"
done_testing
