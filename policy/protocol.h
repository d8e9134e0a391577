// The pipe protocol between the manager and the setuid helpers.
//
// One header holds every constant both sides use, so they cannot drift.
// security/PROTOCOL.md is the prose version of this grammar:
//
//   request  = header *field "end" LF         ; whole request <= kMaxRequestBytes
//   header   = helper SP version LF           ; "uxc-idmap 1", "uxc-nic 1"
//   field    = key *(SP arg) LF
//   key      = 1*( "a"-"z" / "-" )
//   arg      = 1*( %x21-7E )                   ; printable ASCII, no space
//
// Nothing may follow "end\n": a truncated request (no "end") and trailing
// bytes are both errors. No blank lines, no CR, no repeated spaces. Which
// keys a helper accepts, with how many arguments and how often, is a
// schema table in that helper's request module; a key outside it is an
// error, as is a key seen more often than the schema allows.
//
//   response = ( "ok" *(SP word) / "error" SP code SP message ) LF
//
// The helper's exit status is 0 exactly when it answered "ok".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uxc::protocol {

inline constexpr std::string_view kIdmapHelper = "uxc-idmap";
inline constexpr std::string_view kNicHelper = "uxc-nic";
inline constexpr std::string_view kVersion = "1";

// A full request for both maps with realistic ranges is a few hundred
// bytes; the cap bounds what a hostile caller can make a helper buffer.
inline constexpr size_t kMaxRequestBytes = 16384;
inline constexpr size_t kMaxResponseBytes = 1024;
inline constexpr size_t kMaxFieldArgs = 8;

// fd 0 request, fd 1 response, fd 2 diagnostics, fd 3 the target object.
inline constexpr int kRequestFd = 0;
inline constexpr int kResponseFd = 1;
inline constexpr int kTargetFd = 3;
// A helper's own files (its lock, the policy and grant files it opens as
// root) sit at this number or above, never on 0-3: with fd 3 closed by the
// caller, a root-opened file on fd 3 could be taken for the target.
inline constexpr int kFirstOwnFd = 10;

// The kernel accepts at most 340 extents per uid_map/gid_map write.
inline constexpr size_t kMaxMapLines = 340;

// The word after "error" in a response.
enum class ErrorCode {
  kRequest,  // malformed request: fix the client
  kDenied,   // the policy does not allow it
  kTarget,   // fd 3 is not an acceptable target
  kQuota,    // uxc-nic: the caller's allowance is used up
  kLink,     // uxc-nic: bridge missing or not allowed, name clash
  kSystem,   // the kernel refused; nothing was changed
};
std::string_view error_code_name(ErrorCode code);
[[nodiscard]] bool parse_error_code(std::string_view name, ErrorCode* out);

// What a schema allows for one key.
struct KeySpec {
  std::string_view key;
  size_t min_args;
  size_t max_args;
  size_t max_count;  // how many times the key may appear
};

// A decoded field; the views point into the request text, which must
// outlive the Request.
struct Field {
  std::string_view key;
  std::vector<std::string_view> args;
};

struct Request {
  std::vector<Field> fields;  // in request order
};

// Strict decoder; on failure *err says what is wrong in one line.
[[nodiscard]] bool decode_request(std::string_view text,
                                  std::string_view helper,
                                  std::span<const KeySpec> schema,
                                  Request* out, std::string* err);

// Encoder for the manager (and tests). Keys and arguments must satisfy
// the grammar; returns false (and leaves *out empty) if one does not.
struct OutField {
  std::string key;
  std::vector<std::string> args;
};
[[nodiscard]] bool encode_request(std::string_view helper,
                                  std::span<const OutField> fields,
                                  std::string* out);

// Responses.
std::string encode_ok(std::span<const std::string> words);
// Non-printable bytes and newlines in the message become '?', so a
// response is always exactly one line.
std::string encode_error(ErrorCode code, std::string_view message);

struct Response {
  bool ok = false;
  std::vector<std::string> words;  // after "ok"
  ErrorCode code = ErrorCode::kSystem;
  std::string message;             // after "error CODE "
};
[[nodiscard]] bool decode_response(std::string_view text, Response* out,
                                   std::string* err);

}  // namespace uxc::protocol
