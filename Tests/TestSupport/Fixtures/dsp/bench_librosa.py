#!/usr/bin/env python3
"""The librosa side of the front-end speed comparison (README, "Speed"): STFT + log-mel over one hour of 16 kHz
audio with SepKWS's settings, median of 5 runs after a warm-up run. Compare with `sepkws bench features`."""
import time, numpy as np, librosa

sr = 16000
y = (np.random.default_rng(0).standard_normal(sr * 3600) * 0.1).astype(np.float32)

def run():
    mel = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=512, win_length=480, hop_length=160, center=True,
                                         pad_mode="constant", n_mels=40, fmin=0, fmax=8000, power=2.0)
    return np.log(mel + 1e-6)

run()
times = []
for _ in range(5):
    t = time.perf_counter()
    out = run()
    times.append(time.perf_counter() - t)
print(f"librosa {librosa.__version__}: median {sorted(times)[2]:.3f} s over 5 runs {[round(x, 3) for x in times]}, shape {out.shape}")
