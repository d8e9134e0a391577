// Parking a child until its parent has done its part.
//
// A child that needs its parent to act on it before it goes on (map its
// ids, give it its veths, take the pty it opened) parks: it blocks
// reading one byte from a pipe or socket. The parent releases it by
// writing that byte; the byte may name the step ('g' once the ids are
// mapped, 'n' once the veths exist). If the parent gives up instead, its
// end closes, the child reads end of file and exits without a word:
// nobody is left to hear it. Used by the container's init (launch.cpp),
// `uxc attach`'s command (attach.cpp) and the file-work child in a user
// namespace (host/userns.cpp).
#pragma once

namespace uxc {

// Child side: waits for the release byte on `fd` and returns it; exits
// the process (status 1) if the parent closed its end or is gone.
char park(int fd);

// Parent side: writes the release byte `step` to `fd`. False if the
// child is gone (its end closed): that is EPIPE, never a SIGPIPE that
// would kill the caller without a word. errno is the write's.
bool release(int fd, char step);

}  // namespace uxc
