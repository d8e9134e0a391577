#include "user/runtime/startup_code.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace uxc {

// The monitor is the start command's process, and its page tables still
// map every page of code that parsing, checking and launching ran: about
// 700 KiB that no other process shares while one container runs. It
// needs little of that code again, so 200 ms into its container's life
// it lets go of the mappings of the program's read-only segments (code,
// constants); pages it does use again come back from the page cache on
// first use. Only segments that are never written are dropped, so
// nothing can be lost.
void release_startup_code() {
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void*) {
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) != 0) continue;
          const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
          const uintptr_t start = (info->dlpi_addr + ph.p_vaddr + page - 1) & ~(page - 1);
          const uintptr_t end = (info->dlpi_addr + ph.p_vaddr + ph.p_memsz) & ~(page - 1);
          if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
        }
        return 1;  // the first object is the program itself; libc is shared anyway
      },
      nullptr);
}
}  // namespace uxc
