// Prints the real, effective and saved user and group ids of the process,
// one line: "ruid=R euid=E suid=S rgid=R egid=E sgid=S". The world tests
// install it setuid root to prove that setuid binaries work for test users.
#include <unistd.h>

#include <cstdio>

int main() {
  uid_t ruid = 0, euid = 0, suid = 0;
  gid_t rgid = 0, egid = 0, sgid = 0;
  if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0) {
    std::perror("print_ids: getresuid/getresgid");
    return 1;
  }
  std::printf("ruid=%u euid=%u suid=%u rgid=%u egid=%u sgid=%u\n", ruid, euid, suid, rgid, egid,
              sgid);
  return 0;
}
