"""Imported first by the process pool's fork server: it leaves the worker's process group.

A SIGTERM or Ctrl-C sent to the worker's process group (`docker stop` of a shell entrypoint, a
terminal, systemd, `kill -- -PGID`) would otherwise reach the fork server too, and the pool
processes it forked die with it: the documents in flight would come back as crashes and be
dead-lettered though nothing was wrong with them. Out of the group, the pool is stopped by the
worker alone, after its streams have drained. The pool processes inherit the new group. When the
worker dies, the fork server and the pool processes see their pipes to it close and exit.
"""

import os

os.setpgid(0, 0)
