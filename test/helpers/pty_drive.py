"""Run a command on a pseudo-terminal (Python's pty module), answer one prompt, report what the
terminal showed: pty_drive.py PATTERN ANSWER CMD ARGS...

When the output first matches the regular expression PATTERN, ANSWER and a carriage return are
typed. Prints one JSON object: the exit status, everything the terminal showed (the command's
stdout and stderr, and any echo), whether the prompt came, and the output after the answer.
A command still running after 180 s is killed (a guard against a hang, not a timed check)."""
import json, os, pty, re, select, sys, time

pattern, answer, cmd = re.compile(sys.argv[1].encode()), sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out, after, answered, deadline = b'', None, False, time.time() + 180
while True:
    if time.time() > deadline:
        os.kill(pid, 9)
        break
    ready, _, _ = select.select([fd], [], [], 0.5)
    if fd not in ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:  # EIO: the child closed the terminal
        break
    if not data:
        break
    out += data
    if not answered and pattern.search(out):
        answered, after = True, len(out)
        os.write(fd, (answer + '\r').encode())
_, status = os.waitpid(pid, 0)
print(json.dumps({'status': os.waitstatus_to_exitcode(status), 'output': out.decode('utf-8', 'replace'),
                  'prompted': answered, 'afterAnswer': out[after:].decode('utf-8', 'replace') if after is not None else ''}))
