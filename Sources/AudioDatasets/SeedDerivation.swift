// Seeds and stable hashes: how corpora, loaders and trainers derive independent, reproducible randomness per item.

/// Mixes a seed with item coordinates into a new seed (SplitMix64 finalizer over the combination).
public func derivedSeed(_ seed: UInt64, _ parts: Int...) -> UInt64 {
    var z = seed
    for part in parts {
        z = (z ^ UInt64(bitPattern: Int64(part))) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
    }
    return z
}

/// A stable hash of a string (FNV-1a), for seeds and speaker ids.
public func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}
