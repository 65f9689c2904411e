#!/bin/sh
# mail on a terminal (a pseudo-terminal driven by tests/integ/mail-pty.py):
# the Subject: prompt, the tilde escapes (~p ~s ~c ~b ~r ~e ~v ~q ~x ~.
# ~? ~~), the "." line and EOT, askcc, ^C, dead.letter, and a reading
# session with its "& " prompt.
. "$(dirname "$0")/lib.sh"
if [ -n "$self_exec_why" ]; then
	skip "$self_exec_why"
	done_testing
fi
if ! command -v python3 >/dev/null; then
	skip "python3 is needed to drive a pseudo-terminal"
	done_testing
fi
instance
INST=$I TDIR=$T HIKYAKU=$HIKYAKU python3 "$(dirname "$0")/mail-pty.py"
