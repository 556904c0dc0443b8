#pragma once
// Torch-free safetensors reader and writer (https://github.com/huggingface/safetensors format:
// 8-byte little-endian header length, JSON header, raw little-endian data). The reader validates
// everything before any tensor is used; each problem is one tp::FormatError naming the file and
// the tensor.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tp::formats {

enum class TensorDtype { F32, F16, BF16 };

const char* dtype_name(TensorDtype dtype);
size_t dtype_size(TensorDtype dtype);

struct TensorEntry {
    std::string name;
    TensorDtype dtype = TensorDtype::F32;
    std::vector<int64_t> shape;
    size_t begin = 0;  // byte offsets into the data section
    size_t end = 0;
    int64_t numel() const;
};

class SafetensorsFile {
public:
    // Reads and validates the whole file. Throws tp::FormatError on any problem.
    static SafetensorsFile read(const std::string& path);
    // Same, from bytes in memory (`where` names the source in errors).
    static SafetensorsFile parse(std::vector<char> bytes, const std::string& where);

    const std::string& where() const { return where_; }
    const std::map<std::string, TensorEntry>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    const TensorEntry& entry(const std::string& name) const;  // throws FormatError naming it
    const char* data(const TensorEntry& entry) const { return bytes_.data() + data_start_ + entry.begin; }

private:
    std::string where_;
    std::vector<char> bytes_;
    size_t data_start_ = 0;
    std::map<std::string, TensorEntry> tensors_;
    std::map<std::string, std::string> metadata_;
};

struct TensorToWrite {
    std::string name;
    TensorDtype dtype = TensorDtype::F32;
    std::vector<int64_t> shape;
    const void* data = nullptr;  // numel * dtype_size bytes, little-endian
};

// Writes atomically (temporary file, then rename). Throws FormatError when it cannot.
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace tp::formats
