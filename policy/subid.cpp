#include "policy/subid.h"

#include <algorithm>

#include "policy/text.h"

namespace uxc::policy {

namespace {

constexpr uint64_t kIdSpace = uint64_t{1} << 32;

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
           return c >= '0' && c <= '9';
         });
}

// Splits "a:b:c" into exactly three fields; any other count of ':' fails.
bool split_colons(std::string_view line, std::string_view fields[3]) {
  const size_t first = line.find(':');
  if (first == std::string_view::npos) return false;
  const size_t second = line.find(':', first + 1);
  if (second == std::string_view::npos) return false;
  if (line.find(':', second + 1) != std::string_view::npos) return false;
  fields[0] = line.substr(0, first);
  fields[1] = line.substr(first + 1, second - first - 1);
  fields[2] = line.substr(second + 1);
  return true;
}

// Empty string when the line is a valid entry, else why it is not.
std::string parse_entry(std::string_view line, SubidEntry* entry) {
  std::string_view fields[3];
  if (!split_colons(line, fields)) return "expected owner:start:count";
  const std::string_view owner = fields[0];
  uint32_t uid = 0;
  if (all_digits(owner) ? !parse_u32(owner, &uid) : !is_valid_account_name(owner))
    return "malformed owner";
  if (!parse_u32(fields[1], &entry->start)) return "malformed start";
  if (!parse_u32(fields[2], &entry->count)) return "malformed count";
  if (uint64_t{entry->start} + entry->count > kIdSpace)
    return "start + count exceeds 2^32";
  entry->owner = std::string(owner);
  return {};
}

}  // namespace

SubidFile parse_subid_file(std::string_view text) {
  SubidFile file;
  if (text.size() > kMaxSubidFileBytes) {
    file.errors.push_back("file larger than " + std::to_string(kMaxSubidFileBytes) +
                          " bytes");
    return file;
  }
  std::vector<Line> lines;
  std::string err;
  if (!split_lines(text, kMaxSubidLineBytes, &lines, &err)) {
    file.errors.push_back(err);
    return file;
  }
  for (const Line& line : lines) {
    if (is_blank_or_comment(line.text)) continue;
    SubidEntry entry{};
    entry.line = line.number;
    const std::string why = parse_entry(line.text, &entry);
    if (why.empty()) {
      file.entries.push_back(std::move(entry));
      continue;
    }
    file.errors.push_back("line " + std::to_string(line.number) + ": " + why);
    if (file.errors.size() == kMaxSubidErrors) {
      file.errors.push_back("too many malformed lines; stopped");
      break;
    }
  }
  return file;
}

std::vector<IdRange> subordinate_ranges(std::span<const SubidEntry> entries,
                                        std::string_view user_name,
                                        uint32_t user_uid) {
  const std::string uid_text = std::to_string(user_uid);
  std::vector<IdRange> ranges;
  for (const SubidEntry& entry : entries) {
    if (entry.count == 0) continue;
    const bool numeric = all_digits(entry.owner);
    if (entry.owner != (numeric ? std::string_view(uid_text) : user_name)) continue;
    ranges.push_back(IdRange{entry.start, uint64_t{entry.start} + entry.count});
  }
  return merge_ranges(std::move(ranges));
}

std::vector<IdRange> merge_ranges(std::vector<IdRange> ranges) {
  std::erase_if(ranges, [](const IdRange& r) { return r.end <= r.first; });
  std::sort(ranges.begin(), ranges.end(),
            [](const IdRange& a, const IdRange& b) { return a.first < b.first; });
  std::vector<IdRange> merged;
  for (const IdRange& range : ranges) {
    if (!merged.empty() && range.first <= merged.back().end)
      merged.back().end = std::max(merged.back().end, range.end);
    else
      merged.push_back(range);
  }
  return merged;
}

}  // namespace uxc::policy
