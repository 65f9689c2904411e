#!/bin/sh
# Remote delivery through a relayhost, and the client's TLS policy, in
# a network namespace of the test's own (lib-netns.sh) with certificates
# of a test CA (lib-tls.sh's, and one of another CA): relayhost
# bracketed (no MX lookup) and not, port 587 with STARTTLS and 465 with
# TLS from the first byte, relay_auth (its forms, and refused when
# others may read it), tls = may / encrypt / verify / none, and AUTH
# never sent in clear.  The servers (smtp-server.py) record every
# command they are sent: a refused TLS session must carry no AUTH and
# no MAIL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-tls.sh"
. "$(dirname "$0")/lib-netns.sh"
netns_need
smtp_server_py
command -v openssl >/dev/null || { echo "1..0 # SKIP needs the openssl command"; exit 0; }
netns_instance
printf 'postmaster: carol\n' > "$I/aliases"
hk newaliases >/dev/null

# CA 1 (trusted: tls_ca) and CA 2 (not)
K=$T/tls K2=$T/tls2
tls_files "$K" >/dev/null && tls_files "$K2" >/dev/null ||
	{ echo "Bail out! openssl could not make the test CAs"; exit 1; }
server_cert "$K" "$K" relay.example.test
server_cert "$K2" "$K2" relay-wrongca.example.test
server_cert "$K" "$K" other.example.test
server_cert "$K" "$K" smart.example.test relay-mx.example.test
echo "tls_ca = $K/ca.pem" >> "$I/hikyaku.conf"

# setconf KEY [VALUE]: the key set to VALUE (or removed)
setconf() {
	sed -i "/^$1 *=/d" "$I/hikyaku.conf"
	[ $# -gt 1 ] && echo "$1 = $2" >> "$I/hikyaku.conf"
	return 0
}

netns_up
netns_addr 192.0.2.30 192.0.2.31 192.0.2.32 192.0.2.33 192.0.2.34 \
    192.0.2.35 192.0.2.36
netns_dns \
    host-record=relay.example.test,192.0.2.30 \
    host-record=relay-wrongca.example.test,192.0.2.31 \
    host-record=relay-wrongname.example.test,192.0.2.32 \
    host-record=relay-notls.example.test,192.0.2.33 \
    mx-host=relay-mx.example.test,smart.example.test,10 \
    host-record=smart.example.test,192.0.2.34 \
    mx-host=example.test,mx.example.test,10 \
    host-record=mx.example.test,192.0.2.35 \
    mx-host=plain.test,mx.plain.test,10 \
    host-record=mx.plain.test,192.0.2.36

AUTH="--auth relayuser:s3cret-pw"
smtp_server relay --listen 192.0.2.30:587 --listen-tls 192.0.2.30:465 \
    --starttls --cert "$K/relay.example.test.pem" --key "$K/relay.example.test.key" \
    --hostname relay.example.test $AUTH
smtp_server wrongca --listen 192.0.2.31:587 --starttls \
    --cert "$K2/relay-wrongca.example.test.pem" --key "$K2/relay-wrongca.example.test.key" $AUTH
smtp_server wrongname --listen 192.0.2.32:587 --starttls \
    --cert "$K/other.example.test.pem" --key "$K/other.example.test.key" $AUTH
smtp_server notls --listen 192.0.2.33:587 --auth-clear $AUTH
smtp_server smart --listen 192.0.2.34:25 --starttls \
    --cert "$K/smart.example.test.pem" --key "$K/smart.example.test.key"
smtp_server mx --listen 192.0.2.35:25 --starttls \
    --cert "$K2/relay-wrongca.example.test.pem" --key "$K2/relay-wrongca.example.test.key"
smtp_server plain --listen 192.0.2.36:25
ok 0 "the namespace, dnsmasq and seven servers are up"

# the premise, checked with Python's ssl (verifying against CA 1, as
# tls_ca says): which certificates a verifying client takes
in_ns $SMTPD_PY - "$K/ca.pem" <<'PY' > "$T/out" 2>&1
import smtplib, ssl, sys
for name, port in (("relay.example.test", 587), ("relay-wrongca.example.test", 587),
                   ("relay-wrongname.example.test", 587), ("smart.example.test", 25),
                   ("relay.example.test", 465)):
    ctx = ssl.create_default_context(cafile=sys.argv[1])
    try:
        if port == 465:
            s = smtplib.SMTP_SSL(name, port, context=ctx, timeout=5)
        else:
            s = smtplib.SMTP(name, port, timeout=5)
            s.starttls(context=ctx)
        print(name, port, "verified")
        s.quit()
    except ssl.SSLCertVerificationError as e:
        print(name, port, "refused:", e.verify_message)
    except Exception as e:
        print(name, port, "error:", e)
PY
is "$(cut -d: -f1 "$T/out")" "relay.example.test 587 verified
relay-wrongca.example.test 587 refused
relay-wrongname.example.test 587 refused
smart.example.test 25 verified
relay.example.test 465 verified" "Python's ssl verifies relay's and smart's certificates, not wrongca's or wrongname's"

send() {	# send SUBJECT RCPT...: sendmail -v, output in $T/out
	_s=$1
	shift
	printf 'Subject: %s\n\nrelay test\n' "$_s" |
	    hkn sendmail -v -f alice@test.example "$@" > "$T/out" 2>&1
}
cmds() {	# cmds SERVER VERB: how many VERB commands SERVER was sent
	grep -aci " C: $2" "$T/$1/transcript" 2>/dev/null
}

# --- MX delivery: tls = may by default, with or without STARTTLS ---
send may a@example.test
is "$(msgs mx)" 1 "tls may (the default for MX delivery): delivered"
is "$(rec mx 1 tls)" True "over STARTTLS, the server offering it (a certificate of an unknown CA will do)"
grep -Eq ': Untrusted TLS connection established to mx[^ ]*\[192\.0\.2\.[0-9]+\]:25: TLSv1\.2 with cipher ECDHE-' "$I/log"
ok $? "log: Untrusted TLS connection established to the MX (Postfix's line)"
send plain b@plain.test
is "$(msgs plain)" 1 "a server without STARTTLS: delivered too"
is "$(rec plain 1 tls)" False "in clear"

# --- relayhost = [relay.example.test]:587: verify, AUTH ---
setconf relayhost '[relay.example.test]:587'
printf '# relay credentials\n[relay.example.test]:587 relayuser s3cret-pw\n' > "$T/relay_auth"
chmod 0600 "$T/relay_auth"
setconf relay_auth "$T/relay_auth"
: > "$T/dnsmasq.log"
send relay1 c@far.test
is "$(msgs relay)" 1 "relayhost [relay.example.test]:587: delivered to it"
is "$(rec relay 1 rcpt_tos)" "c@far.test" "for c@far.test"
is "$(rec relay 1 tls)" True "over TLS (verify: the default towards a relayhost; right CA, right name)"
grep -Eq ': Verified TLS connection established to relay\.example\.test\[192\.0\.2\.30\]:587: TLSv1\.2 with cipher ECDHE-' "$I/log"
ok $? "log: Verified TLS connection established to relay.example.test[192.0.2.30]:587"
is "$(rec relay 1 auth)" relayuser "authenticated as relayuser (relay_auth)"
is "$(rec relay 1 listener)" "192.0.2.30:587" "on port 587"
like "$(to_line c@far.test)" "relay=relay\.example\.test\[192\.0\.2\.30\]:587, .*status=sent \(250 " "log: relay=relay.example.test[192.0.2.30]:587, status=sent"
grep -aq 'far\.test' "$T/dnsmasq.log"; ok $((!$?)) "far.test was not looked up"
grep -aq 'query\[MX\] relay\.example\.test' "$T/dnsmasq.log"; ok $((!$?)) "nor the MX of the bracketed relay.example.test"
tlsline=$(grep -an ' tls ' "$T/relay/transcript" | head -1 | cut -d: -f1)
authline=$(grep -ain ' C: AUTH' "$T/relay/transcript" | head -1 | cut -d: -f1)
[ -n "$tlsline" ] && [ -n "$authline" ] && [ "$authline" -gt "$tlsline" ]
ok $? "AUTH came after the TLS handshake"

# --- relay_auth readable by others: deferred, nothing sent ---
chmod 0644 "$T/relay_auth"
n=$(cmds relay MAIL)
send mode d@far.test
line=$(to_line d@far.test)
like "$line" "status=deferred \(.*relay_auth" "relay_auth mode 0644: deferred, the reason names relay_auth"
case $line in *"$T/relay_auth"*) ok 0 "and the file" ;; *) ok 1 "and the file"; echo "#   got: $line" ;; esac
is "$(cmds relay MAIL)" "$n" "no MAIL was sent"
is "$(cmds relay AUTH)" 1 "nor AUTH"
chmod 0600 "$T/relay_auth"
hkn sendmail -q >/dev/null 2>&1
is "$(msgs relay)" 2 "mode 0600 again: the next queue run delivers it"
like "$(to_line d@far.test)" "status=sent" "log: sent"

# --- port 465: TLS from the first byte; relay_auth by host name alone ---
setconf relayhost '[relay.example.test]:465'
printf 'relay.example.test relayuser s3cret-pw\n' > "$T/relay_auth"
send smtps e@far.test
is "$(msgs relay)" 3 "relayhost [relay.example.test]:465: delivered"
is "$(rec relay 3 listener) $(rec relay 3 tls) $(rec relay 3 auth)" "192.0.2.30:465 True relayuser" \
    "over implicit TLS, authenticated (relay_auth's line without brackets or port)"
like "$(to_line e@far.test)" "relay=relay\.example\.test\[192\.0\.2\.30\]:465, .*status=sent" "log: relay=relay.example.test[192.0.2.30]:465"

# --- verify: a certificate of another CA, or for another name ---
printf '[relay-wrongca.example.test]:587 relayuser s3cret-pw\n[relay-wrongname.example.test]:587 relayuser s3cret-pw\n' > "$T/relay_auth"
setconf relayhost '[relay-wrongca.example.test]:587'
send wrongca f@far.test
like "$(to_line f@far.test)" "status=deferred \(.*([Tt][Ll][Ss]|[Cc]ertificate)" "verify, a certificate of another CA: deferred, the reason says TLS or certificate"
is "$(msgs wrongca) $(cmds wrongca AUTH) $(cmds wrongca MAIL)" "0 0 0" "that server got no message, no AUTH, no MAIL"
setconf relayhost '[relay-wrongname.example.test]:587'
send wrongname g@far.test
like "$(to_line g@far.test)" "status=deferred \(.*([Tt][Ll][Ss]|[Cc]ertificate)" "verify, a certificate for another name: deferred, TLS or certificate"
is "$(msgs wrongname) $(cmds wrongname AUTH) $(cmds wrongname MAIL)" "0 0 0" "that server got no message, no AUTH, no MAIL"

# --- encrypt, and a server without STARTTLS ---
setconf relayhost '[relay-notls.example.test]:587'
printf '[relay-notls.example.test]:587 relayuser s3cret-pw\n' > "$T/relay_auth"
setconf tls encrypt
send encrypt h@far.test
like "$(to_line h@far.test)" "status=deferred" "tls encrypt, no STARTTLS offered: deferred"
is "$(msgs notls) $(cmds notls AUTH) $(cmds notls MAIL)" "0 0 0" "nothing sent: no AUTH, no MAIL"

# --- AUTH is never sent in clear, even when offered and configured ---
setconf tls may
send clear i@far.test
grep -aq ' C: EHLO' "$T/notls/transcript"; ok $? "tls may: the server without STARTTLS was spoken to"
is "$(cmds notls AUTH)" 0 "and though it offers AUTH in clear, no AUTH was sent"
setconf relayhost '[relay.example.test]:587'
printf '[relay.example.test]:587 relayuser s3cret-pw\n' > "$T/relay_auth"
setconf tls none
a=$(cmds relay AUTH) s=$(cmds relay STARTTLS) c=$(grep -ac ' connect ' "$T/relay/transcript")
send none j@far.test
is "$(( $(grep -ac ' connect ' "$T/relay/transcript") - c ))" 1 "tls none: the relay was connected to"
is "$(( $(cmds relay STARTTLS) - s )) $(( $(cmds relay AUTH) - a ))" "0 0" "and sent neither STARTTLS nor AUTH"
setconf tls

# --- a relay_auth with no line for the relayhost: deferred, said so ---
setconf relayhost relay-mx.example.test
: > "$T/relay_auth"
send nocred n@far.test
like "$(to_line n@far.test)" "status=deferred \(4\.7\.0 relay_auth .*: no line for the relayhost relay-mx\.example\.test\)" \
    "relay_auth without a line for the relayhost: deferred (not sent unauthenticated), said so"

# --- relayhost without brackets: its MX (no relay_auth: no AUTH) ---
setconf relay_auth
hkn sendmail -q >/dev/null 2>&1
like "$(to_line n@far.test)" "status=sent" "without relay_auth, the deferred one goes on the next run"
before=$(msgs smart)
: > "$T/dnsmasq.log"
send mxrelay k@far.test
grep -aq 'query\[MX\] relay-mx\.example\.test' "$T/dnsmasq.log"; ok $? "relayhost relay-mx.example.test: its MX is looked up"
is "$(msgs smart)" $((before + 1)) "and the MX host (smart.example.test) gets the message"
is "$(rec smart $((before + 1)) rcpt_tos) $(rec smart $((before + 1)) tls)" "k@far.test True" "for k@far.test, over verified TLS"
like "$(to_line k@far.test)" "relay=smart\.example\.test\[192\.0\.2\.34\]:25, .*status=sent" "log: relay=smart.example.test[192.0.2.34]:25"

done_testing
