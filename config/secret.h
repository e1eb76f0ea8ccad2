// Secrets named by *_file fields (password_file, bearer_token_file, credentials_file): read
// when used, so a rotated file takes effect at the next request, as Prometheus's config.
#pragma once

#include <string>

namespace config {

// The file's contents without trailing newlines; "" when it cannot be read.
std::string ReadSecretFile(const std::string& path);

}  // namespace config
