import Foundation

/// A rectangular room whose six surfaces absorb the same fraction of the sound energy that reaches them, chosen so
/// that the room has a given reverberation time; the source of ``RoomImpulseResponse``s.
///
/// Coordinates are metres from one corner, `x` along the length, `y` along the width, `z` up; every point of the
/// room has `0 <= coordinate <= size`.
///
/// ```swift
/// let room = try ShoeboxRoom(size: [6, 4, 3], reverberationTime: 0.5)
/// let rir = room.impulseResponse(source: [2, 1.5, 1.6], microphone: [4, 2.5, 1.2], sampleRate: 8_000, using: &rng)
/// ```
public struct ShoeboxRoom: Sendable, Equatable {
    /// Speed of sound (m/s).
    public static let speedOfSound = 343.0

    /// Length, width and height (m).
    public let size: SIMD3<Double>
    /// The wanted RT60: seconds for the diffuse sound energy to fall by 60 dB.
    public let reverberationTime: Double

    /// - Throws: ``DatasetError/invalidOption(name:value:reason:)`` unless every side is 1-100 m and the
    ///   reverberation time 0.01-10 s.
    public init(size: SIMD3<Double>, reverberationTime: Double) throws(DatasetError) {
        guard (0..<3).allSatisfy({ (1.0...100).contains(size[$0]) }) else {
            throw .invalidOption(name: "room size", value: "\(size.x) x \(size.y) x \(size.z) m", reason: "each side must be 1-100 m")
        }
        guard (0.01...10).contains(reverberationTime) else {
            throw .invalidOption(name: "reverberation time", value: "\(reverberationTime) s", reason: "must be 0.01-10 s")
        }
        self.size = size
        self.reverberationTime = reverberationTime
    }

    /// Volume (m³).
    public var volume: Double { size.x * size.y * size.z }
    /// Surface of the six walls (m²).
    public var surface: Double { 2 * (size.x * size.y + size.x * size.z + size.y * size.z) }

    /// The energy absorption coefficient of every surface, `0 < alpha < 1`, from Eyring's formula
    /// `RT60 = 24 ln(10) V / (-c S ln(1 - alpha))` solved for `alpha` (Sabine's `alpha = 24 ln(10) V / (c S RT60)`
    /// is its first-order approximation, and exceeds 1 in large, dead rooms where Eyring's does not).
    public var absorption: Double {
        1 - exp(-24 * log(10.0) * volume / (Self.speedOfSound * surface * reverberationTime))
    }

    /// Whether `point` lies inside the room, at least `margin` metres from every surface.
    public func contains(_ point: SIMD3<Double>, margin: Double = 0) -> Bool {
        (0..<3).allSatisfy { point[$0] >= margin && point[$0] <= size[$0] - margin }
    }

    /// A point drawn uniformly inside the room, at least `margin` metres from every surface.
    /// - Precondition: every side is longer than `2 * margin`.
    public func randomPoint(margin: Double, using rng: inout some RandomNumberGenerator) -> SIMD3<Double> {
        var point = SIMD3<Double>()
        for axis in 0..<3 {
            precondition(size[axis] > 2 * margin)
            point[axis] = Double.random(in: margin...(size[axis] - margin), using: &rng)
        }
        return point
    }

    /// The impulse response from `source` to `microphone` (omnidirectional), by the image-source method for the
    /// early part and a matching diffuse tail after it.
    ///
    /// Every mirror image of the source whose sound arrives within `imageSeconds` after the direct sound adds one
    /// tap of amplitude `beta^k / r` (`r` its distance in metres, `k` its number of wall reflections, `beta =
    /// sqrt(1 - absorption)`) at delay `r / c`, placed with a fractional delay (a Hann-windowed sinc of 16 taps,
    /// the delay rounded to 1/64 sample). Later, reflections are so dense that only their statistics matter, and
    /// enumerating them would cost millions of images: the tail is Gaussian noise whose variance per sample is
    /// the image method's expected energy density, `4 pi c / (V fs) * 10^(-6 t / RT60)` at time `t` (images arrive
    /// at `4 pi c³ t² / V` per second, each with energy `beta^(2k) / (c t)²`, and `beta^(2k)` falls as Eyring's
    /// decay), plus the images' mean. The response ends RT60 after the direct sound, and a second-order 40 Hz
    /// high-pass removes the offset that the all-positive taps carry.
    /// - Parameters:
    ///   - source: the talker's position, inside the room.
    ///   - microphone: the microphone's position, inside the room.
    ///   - sampleRate: taps per second.
    ///   - imageSeconds: how long after the direct sound the images are enumerated (`.infinity`: all of the
    ///     response, without a statistical tail; slow for long reverberation times).
    ///   - rng: draws the tail's noise (nothing is drawn without a tail).
    /// - Precondition: both points inside the room.
    public func impulseResponse(source: SIMD3<Double>, microphone: SIMD3<Double>, sampleRate: Int, imageSeconds: Double = 0.08,
                                using rng: inout some RandomNumberGenerator) -> RoomImpulseResponse {
        precondition(contains(source) && contains(microphone), "source \(source) and microphone \(microphone) must be inside \(size)")
        let c = Self.speedOfSound, fs = Double(sampleRate)
        let distance = ((source - microphone) * (source - microphone)).sum().squareRoot()
        let directDelay = distance / c * fs
        // Seconds from emission: the response lasts RT60 after the direct sound, images for the first part of it.
        let end = distance / c + reverberationTime
        let imageEnd = min(distance / c + imageSeconds, end)
        var taps = [Float](repeating: 0, count: Int((end * fs).rounded(.up)) + RoomImpulseResponse.halfWidth + 1)
        addImages(source: source, microphone: microphone, until: imageEnd, sampleRate: sampleRate, into: &taps)
        if imageEnd < end {
            // The diffuse tail from where the images stop: its envelope falls 60 dB per RT60. The images' taps are
            // all positive, so they also carry a slowly varying mean (the rate of arrivals per sample times their
            // amplitude, `4 pi c² t / (V fs)` times the envelope), which the high-pass below removes; the tail
            // continues it, or the high-pass would ring where the images stop.
            let start = Int((imageEnd * fs).rounded(.up))
            let decay = pow(10, -3 / (fs * reverberationTime))
            var envelope = pow(10, -3 * Double(start) / fs / reverberationTime)
            let deviation = (4 * Double.pi * c / (volume * fs)).squareRoot(), mean = 4 * Double.pi * c * c / (volume * fs * fs)
            var n = start
            while n < taps.count {
                // Two standard normal samples (Box-Muller) from one 64-bit draw: the generator is generic here, and a
                // call through it costs more than the arithmetic.
                let bits = rng.next()
                let u1 = (Double(bits >> 40) + 0.5) / 16_777_216, u2 = Double((bits >> 16) & 0xFF_FFFF) / 16_777_216
                let radius = (-2 * log(u1)).squareRoot(), angle = 2 * Double.pi * u2
                taps[n] += Float(envelope * (deviation * radius * cos(angle) + mean * Double(n)))
                envelope *= decay
                n += 1
                if n < taps.count {
                    taps[n] += Float(envelope * (deviation * radius * sin(angle) + mean * Double(n)))
                    envelope *= decay
                    n += 1
                }
            }
        }
        Biquad.highPass(frequency: 40, q: 1 / 2.squareRoot(), sampleRate: sampleRate).apply(to: &taps)
        return RoomImpulseResponse(taps: taps, sampleRate: sampleRate, directDelay: directDelay, directDistance: distance)
    }

    /// Adds every image arriving before `until` seconds to `taps`.
    private func addImages(source: SIMD3<Double>, microphone: SIMD3<Double>, until: Double, sampleRate: Int, into taps: inout [Float]) {
        let c = Self.speedOfSound, fs = Double(sampleRate)
        let reach = c * until                                                    // the farthest image counted (m)
        let beta = (1 - absorption).squareRoot()
        // Along one axis, image (n, p) sits at (1 - 2p) s + 2 n L, after |n - p| + |n| reflections.
        var offsets: [[(distance: Double, reflections: Int)]] = []
        for axis in 0..<3 {
            let length = size[axis], s = source[axis], m = microphone[axis]
            let limit = Int((reach / (2 * length)).rounded(.up)) + 1
            var axisImages: [(Double, Int)] = []
            for n in -limit...limit {
                for p in 0...1 {
                    let d = (p == 0 ? s : -s) + 2 * Double(n) * length - m
                    if abs(d) <= reach { axisImages.append((d, abs(n - p) + abs(n))) }
                }
            }
            offsets.append(axisImages)
        }
        let maxReflections = offsets.map { $0.map(\.reflections).max() ?? 0 }.reduce(0, +)
        var gains = [Double](repeating: 1, count: maxReflections + 1)
        for k in 1..<max(gains.count, 1) { gains[k] = gains[k - 1] * beta }
        let table = RoomImpulseResponse.fractionalDelayTable
        let width = RoomImpulseResponse.halfWidth, phases = RoomImpulseResponse.phases
        let reach2 = reach * reach
        taps.withUnsafeMutableBufferPointer { out in
            for (dx, kx) in offsets[0] {
                let x2 = dx * dx
                for (dy, ky) in offsets[1] {
                    let xy2 = x2 + dy * dy
                    if xy2 > reach2 { continue }
                    for (dz, kz) in offsets[2] {
                        let r2 = xy2 + dz * dz
                        if r2 > reach2 { continue }
                        let r = max(r2.squareRoot(), 0.01)
                        let amplitude = Float(gains[kx + ky + kz] / r)
                        let delay = r / c * fs
                        // Taps floor(delay) - width + 1 ... floor(delay) + width of the sinc centred on the delay.
                        let whole = Int(delay)
                        let phase = min(Int(((delay - Double(whole)) * Double(phases)).rounded()), phases)
                        let row = phase * 2 * width
                        for j in 0..<(2 * width) {
                            let n = whole - width + 1 + j
                            if n >= 0 && n < out.count { out[n] += amplitude * table[row + j] }
                        }
                    }
                }
            }
        }
    }
}
