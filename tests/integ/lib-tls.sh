# Shared by the TLS and AUTH tests of mtad, sourced after lib.sh:
#
#   tls_files DIR   a throw-away CA (ca.pem) and, signed by it, server
#                   certificates for test.example: rsa.pem + rsa.key
#                   (RSA 2048), ec.pem + ec.key (EC P-256); other.key,
#                   an RSA key of no certificate; garbage.key, a PEM
#                   block that is no key.  1 if openssl failed.
#   crypt_python    $PYCRYPT: a python3 whose crypt module makes the
#                   sha512-crypt and sha256-crypt hashes; 1 if none.
#   field MBOX SUBJECT NAME
#                   that field of the message with that subject, as
#                   Python's mailbox reads it, unfolded ("None": absent)
#
# and PYTHONPATH for tlsclient.py (smtplib clients that trust only the
# CA of $TC_CA, set by tls_files).

tls_files() {
	mkdir -p "$1"
	cat > "$1/ext.cnf" <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:test.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
	(
		cd "$1" && exec 2>gen.log &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key \
		    -out ca.pem -subj "/CN=hikyaku test CA" -days 2 &&
		openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key \
		    -out rsa.csr -subj /CN=test.example &&
		openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -days 2 -extfile ext.cnf -out rsa.pem &&
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		    -nodes -keyout ec.key -out ec.csr -subj /CN=test.example &&
		openssl x509 -req -in ec.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -days 2 -extfile ext.cnf -out ec.pem &&
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		    -out other.key &&
		printf -- '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' \
		    > garbage.key
	) || { cat "$1/gen.log"; return 1; }
	TC_CA=$1/ca.pem
	export TC_CA
}

# The hashes come from Python's crypt module (libcrypt, the library
# that writes /etc/shadow), never from our own code.  Debian's python3
# first: its 3.11 has the module, on the system's libcrypt; a python3
# found first on the PATH may be 3.13 or later, where crypt is gone.
crypt_python() {
	PYCRYPT=
	for _p in /usr/bin/python3 python3; do
		if $_p -W ignore -c 'import crypt; assert crypt.crypt("x", "$6$ab$").startswith("$6$ab$")' 2>/dev/null; then
			PYCRYPT="$_p -W ignore"
			return 0
		fi
	done
	return 1
}

field() {
	python3 - "$@" <<'PY'
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    if m["Subject"] == sys.argv[2]:
        print(" ".join(str(m[sys.argv[3]]).split()))
PY
}

PYTHONPATH=$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}
export PYTHONPATH
