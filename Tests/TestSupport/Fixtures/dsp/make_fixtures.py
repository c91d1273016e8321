#!/usr/bin/env python3
"""Makes the DSP reference fixtures once (librosa 0.11, scipy 1.17, numpy 2.4); tests never run Python.

    python3 Tests/TestSupport/Fixtures/dsp/make_fixtures.py

speech.wav: 1.5 s of espeak-ng speech, 16 kHz mono 16-bit. Every .npy is float32, frames first.
"""
import os, subprocess, tempfile
import numpy as np, librosa, scipy.fft, soundfile as sf

here = os.path.dirname(os.path.abspath(__file__))
wav = os.path.join(here, "speech.wav")
with tempfile.TemporaryDirectory() as tmp:
    raw = os.path.join(tmp, "raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", raw,
                    "Separate the voices, then listen."], check=True)
    y, sr = librosa.load(raw, sr=16000, mono=True)
y = y[: int(1.5 * 16000)].astype(np.float32)
y = 0.5 * y / np.max(np.abs(y))
sf.write(wav, y, 16000, subtype="PCM_16")
y, sr = sf.read(wav, dtype="float32")  # exactly what libsndfile gives back

def save(name, a):
    np.save(os.path.join(here, name), np.ascontiguousarray(a, dtype=np.float32))

kw = dict(n_fft=512, win_length=480, hop_length=160, window="hann", center=True, pad_mode="constant")
S = librosa.stft(y, **kw)                                   # [257, frames] complex64
save("stft_complex.npy", np.stack([S.real.T, S.imag.T], axis=-1))  # [frames, 257, 2]
save("istft.npy", librosa.istft(S, n_fft=512, win_length=480, hop_length=160, window="hann", center=True, length=len(y)))
mel = librosa.feature.melspectrogram(y=y, sr=16000, n_mels=40, fmin=0, fmax=8000, power=2.0, **kw)
logmel = np.log(mel + 1e-6)
save("logmel.npy", logmel.T)                                # [frames, 40]
save("mfcc.npy", scipy.fft.dct(logmel, type=2, norm="ortho", axis=0)[:40].T)  # [frames, 40]
save("mel_slaney.npy", librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=0, fmax=8000))          # [40, 257]
save("mel_htk.npy", librosa.filters.mel(sr=8000, n_fft=256, n_mels=23, fmin=20, fmax=3800, htk=True, norm=None))
save("stft_hamming_valid.npy", np.abs(librosa.stft(y, n_fft=400, hop_length=100, window="hamming", center=False)).T)
print("frames", S.shape[1], "samples", len(y))
