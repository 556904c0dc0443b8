#include "core/formats/safetensors.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/util/format_error.h"
#include "core/util/file_io.h"
#include "core/util/input_limits.h"
#include "core/util/json_depth.h"

namespace tp::formats {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

TensorDtype parse_dtype(const std::string& text, const std::string& where) {
    if (text == "F32") return TensorDtype::F32;
    if (text == "F16") return TensorDtype::F16;
    if (text == "BF16") return TensorDtype::BF16;
    throw FormatError(where, "unsupported dtype '" + text + "' (supported: F32, F16, BF16)");
}

uint64_t read_le64(const char* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

}  // namespace

const char* dtype_name(TensorDtype dtype) {
    switch (dtype) {
    case TensorDtype::F32: return "F32";
    case TensorDtype::F16: return "F16";
    case TensorDtype::BF16: return "BF16";
    }
    return "?";
}

size_t dtype_size(TensorDtype dtype) { return dtype == TensorDtype::F32 ? 4 : 2; }

int64_t TensorEntry::numel() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

const TensorEntry& SafetensorsFile::entry(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw FormatError(where_, "tensor '" + name + "' is missing");
    return it->second;
}

SafetensorsFile SafetensorsFile::read(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw FormatError(path, "cannot open the file");
    const auto size = static_cast<std::streamoff>(in.tellg());
    if (size < 0) throw FormatError(path, "cannot read the file");
    if (static_cast<uint64_t>(size) > limits::kWeightsFileBytes)
        throw FormatError(path, "is " + std::to_string(size >> 20) + " MiB; the limit for a weights file is " +
                                    std::to_string(limits::kWeightsFileBytes >> 20) + " MiB");
    std::vector<char> bytes(static_cast<size_t>(size));
    in.seekg(0);
    if (size > 0 && !in.read(bytes.data(), size)) throw FormatError(path, "cannot read the file");
    return parse(std::move(bytes), path);
}

SafetensorsFile SafetensorsFile::parse(std::vector<char> bytes, const std::string& where) {
    SafetensorsFile file;
    file.where_ = where;
    if (bytes.size() < 8)
        throw FormatError(where, "truncated: " + std::to_string(bytes.size()) + " bytes, no 8-byte header length");
    const uint64_t header_len = read_le64(bytes.data());
    if (header_len > bytes.size() - 8)
        throw FormatError(where, "truncated: header length " + std::to_string(header_len) + " exceeds the " +
                                     std::to_string(bytes.size() - 8) + " bytes after it");
    nlohmann::json header;
    const std::string_view header_text(bytes.data() + 8, static_cast<size_t>(header_len));
    if (json_nesting_depth(header_text, limits::kJsonDepth) > limits::kJsonDepth)
        throw FormatError(where, "header nests deeper than " + std::to_string(limits::kJsonDepth) + " levels");
    try {
        header = nlohmann::json::parse(header_text);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(where, std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) throw FormatError(where, "header is not a JSON object");
    file.data_start_ = 8 + header_len;
    const size_t data_size = bytes.size() - file.data_start_;

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        if (name == "__metadata__") {
            if (!it->is_object()) throw FormatError(where, "__metadata__ is not an object");
            for (auto m = it->begin(); m != it->end(); ++m) {
                if (!m->is_string()) throw FormatError(where, "__metadata__." + m.key() + " is not a string");
                file.metadata_[m.key()] = m->get<std::string>();
            }
            continue;
        }
        const std::string at = where + ": tensor '" + name + "'";
        const auto& t = *it;
        if (!t.is_object()) throw FormatError(at, "entry is not an object");
        for (auto f = t.begin(); f != t.end(); ++f)
            if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets")
                throw FormatError(at, "unknown field '" + f.key() + "'");
        if (!t.contains("dtype") || !t["dtype"].is_string()) throw FormatError(at, "missing or non-string 'dtype'");
        if (!t.contains("shape") || !t["shape"].is_array()) throw FormatError(at, "missing or non-array 'shape'");
        if (!t.contains("data_offsets") || !t["data_offsets"].is_array() || t["data_offsets"].size() != 2)
            throw FormatError(at, "'data_offsets' must be [begin, end]");
        TensorEntry e;
        e.name = name;
        e.dtype = parse_dtype(t["dtype"].get<std::string>(), at);
        if (t["shape"].size() > limits::kTensorRank)
            throw FormatError(at, "shape has " + std::to_string(t["shape"].size()) + " dimensions; the limit is " +
                                      std::to_string(limits::kTensorRank));
        uint64_t elements = 1;  // checked as it grows: the product of the dimensions must not wrap
        for (const auto& d : t["shape"]) {
            if (!d.is_number_unsigned()) throw FormatError(at, "shape has a non-integer or negative dimension");
            const uint64_t dim = d.get<uint64_t>();
            if (dim > limits::kTensorElements || (dim > 0 && elements > limits::kTensorElements / dim))
                throw FormatError(at, "shape " + t["shape"].dump() + " has more than " +
                                          std::to_string(limits::kTensorElements) + " elements (the limit)");
            elements *= dim;
            e.shape.push_back(static_cast<int64_t>(dim));
        }
        for (const auto& o : t["data_offsets"])
            if (!o.is_number_unsigned()) throw FormatError(at, "data_offsets must be non-negative integers");
        e.begin = t["data_offsets"][0].get<size_t>();
        e.end = t["data_offsets"][1].get<size_t>();
        if (e.begin > e.end)
            throw FormatError(at, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                      "] end before they begin");
        if (e.end > data_size)
            throw FormatError(at, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                      "] are out of range: the data section has " + std::to_string(data_size) +
                                      " bytes (file truncated?)");
        const auto needed = static_cast<uint64_t>(e.numel()) * dtype_size(e.dtype);
        if (needed != e.end - e.begin)
            throw FormatError(at, "shape " + shape_text(e.shape) + " " + dtype_name(e.dtype) + " needs " +
                                      std::to_string(needed) + " bytes but data_offsets span " +
                                      std::to_string(e.end - e.begin));
        file.tensors_[name] = std::move(e);
    }

    std::vector<const TensorEntry*> by_offset;
    for (const auto& [_, e] : file.tensors_)
        if (e.end > e.begin) by_offset.push_back(&e);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const TensorEntry* a, const TensorEntry* b) { return a->begin < b->begin; });
    for (size_t i = 1; i < by_offset.size(); ++i)
        if (by_offset[i]->begin < by_offset[i - 1]->end)
            throw FormatError(where + ": tensor '" + by_offset[i]->name + "'",
                              "data overlaps tensor '" + by_offset[i - 1]->name + "'");
    file.bytes_ = std::move(bytes);
    return file;
}

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    size_t offset = 0;
    for (const auto& t : tensors) {
        int64_t numel = 1;
        for (auto d : t.shape) numel *= d;
        const size_t bytes = static_cast<size_t>(numel) * dtype_size(t.dtype);
        header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    while ((8 + text.size()) % 8 != 0) text += ' ';  // keeps the data section 8-byte aligned
    DurableFile out(path);
    char len[8];
    const uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    out.write(len, 8);
    out.write(text);
    for (const auto& t : tensors) {
        int64_t numel = 1;
        for (auto d : t.shape) numel *= d;
        out.write(t.data, static_cast<size_t>(numel) * dtype_size(t.dtype));
    }
    out.commit();
}

}  // namespace tp::formats
