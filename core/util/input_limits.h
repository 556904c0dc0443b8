#pragma once
// Every limit on input from others, stated once (docs/security.md lists them). Files, stores and
// protocol lines come from other people; each limit is generous for any real model or profile and
// stops a tiny crafted input from asking for gigabytes, deep recursion or integer wrap-around.
// A violation is one tp::FormatError naming the file, the field and the limit.
#include <cstddef>
#include <cstdint>

namespace tp::limits {

// JSON documents and lines
inline constexpr std::size_t kJsonDepth = 128;                        // nesting of arrays/objects
inline constexpr std::uint64_t kJsonFileBytes = 512ull << 20;         // a profile, schedule, card, ...
inline constexpr std::uint64_t kDecompressedBytes = 1024ull << 20;    // what one .gz may expand to
inline constexpr std::size_t kProtocolLineBytes = 4u << 20;           // one agent protocol line

// Tensors (safetensors, IDX)
inline constexpr std::size_t kTensorRank = 8;
inline constexpr std::uint64_t kTensorElements = 1ull << 32;          // per tensor
inline constexpr std::uint64_t kWeightsFileBytes = 16ull << 30;

// Images and input pipelines
inline constexpr int kImageSide = 16384;                              // decoded, resized, cropped or padded
inline constexpr std::uint64_t kImagePixels = 1ull << 28;

// Models and profiles
inline constexpr int kModelDepth = 512;                               // blocks
inline constexpr int kEmbedDim = 65536;
inline constexpr int kHeads = 1024;
inline constexpr int kTokens = 1 << 20;                               // tokens per sequence
inline constexpr int kClasses = 1 << 20;
inline constexpr std::size_t kProfilePoints = 50'000'000;             // points over all curves
inline constexpr std::size_t kTokenSpecEntries = 1 << 20;             // expanded token lists

// Agent
inline constexpr std::size_t kQueuedJobs = 256;

}  // namespace tp::limits
