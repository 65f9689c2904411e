#!/bin/sh
# A mailbox that cannot take the message must come back byte-identical,
# and the message must stay queued with the reason.
. "$(dirname "$0")/lib.sh"
instance
m=$I/mail/bob

# a mailbox with history
for i in 1 2 3; do printf "Subject: old $i\n\nold body $i\n" | hk sendmail -odq bob; done
hk sendmail -q
before=$(cksum < "$m")
size_before=$(wc -c < "$m")

# 1. too big for the file size limit (EFBIG midway through the write)
awk 'BEGIN { printf "Subject: big\n\n"; for (i = 0; i < 3000; i++) printf "line %05d of a long message that will not fit\n", i }' > "$T/big"
hk sendmail -odq bob < "$T/big"
blocks=$(( (size_before + 20000) / 512 ))
( ulimit -f "$blocks"; hk sendmail -q ); rc=$?
is "$(cksum < "$m")" "$before" "file size limit hit midway: mailbox byte-identical"
q=$(hk mailq)
like "$q" "bob@test.example" "the message is still queued"
like "$q" "File too large" "mailq shows the reason"
hk sendmail -q
is "$(mbox_count "$m")" 4 "delivered once the limit is gone"
grep -q 'line 02999 of a long' "$m"; ok $? "whole, to the last line"
before=$(cksum < "$m")

# 2. a mailbox we may not write
chmod 0444 "$m"
printf 'Subject: ro\n\nx\n' | hk sendmail -odq bob
hk sendmail -q
is "$(cksum < "$m")" "$before" "read-only mailbox: unchanged"
like "$(hk mailq)" "(Permission denied|not permitted)" "queued with the reason"
chmod 0600 "$m"
hk sendmail -q
is "$(mbox_count "$m")" 5 "delivered once writable again"
before=$(cksum < "$m")

# 3. a really full file system (root only: a small tmpfs)
if [ "$(id -u)" -eq 0 ] && mkdir "$T/full" && mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null; then
	chmod 1777 "$T/full"
	cp "$I/hikyaku.conf" "$T/full.conf"
	echo "mailbox = mbox:$T/full/%u" >> "$T/full.conf"
	printf 'Subject: small\n\nfits\n' | hk sendmail -C "$T/full.conf" -odq bob
	hk sendmail -C "$T/full.conf" -q
	small=$(cksum < "$T/full/bob")
	hk sendmail -C "$T/full.conf" -odq bob < "$T/big"
	hk sendmail -C "$T/full.conf" -q
	is "$(cksum < "$T/full/bob")" "$small" "disk full (ENOSPC): mailbox byte-identical"
	like "$(hk mailq -C "$T/full.conf")" "No space left on device" "queued with the reason"
	umount "$T/full"
else
	skip "no tmpfs to fill (needs root and mount)"
	skip "no tmpfs to fill (needs root and mount)"
fi

# 4. a symlink in place of the mailbox is refused, its target untouched
echo "precious" > "$T/target"
ln -s "$T/target" "$I/mail/carol"
printf 'Subject: link\n\nx\n' | hk sendmail -odq carol
hk sendmail -q
is "$(cat "$T/target")" "precious" "a symlinked mailbox is not followed"
like "$(hk mailq)" "carol@test.example" "the message waits"
done_testing
