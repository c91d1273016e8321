#!/usr/bin/env python3
"""Makes the Evaluation reference fixtures once (mir_eval 0.8.2, numpy 2.4, scipy 1.17); tests never run Python.

    pip install mir_eval && python3 Tests/TestSupport/Fixtures/evaluation/make_fixtures.py

For each case NAME: NAME_refs.npy [nsrc, n], NAME_ests.npy [nsrc, n] and NAME_mix.npy [n], all float32, and one entry
in expected.json computed in float64 from exactly those float32 values:
  sdr/sir/sar/perm:       mir_eval.separation.bss_eval_sources(refs, ests)  (perm[j] = estimate of reference j)
  input_sdr/sir/sar:      bss_eval_sources(refs, [mix] * nsrc, compute_permutation=False)
  si_snr_pairwise[e][r]:  SI-SNR of estimate e against reference r (zero mean, eps 1e-8 as asteroid's sisdr)
  pit_perm/pit_si_snr:    the permutation maximising mean SI-SNR, and the SI-SNR of each reference under it
  input_si_snr[r]:        SI-SNR of the mixture against reference r
Cases: white noise and speech-like (AR-coloured, amplitude-modulated harmonics) signals, and real speech (two
segments of ../dsp/speech.wav); estimates are permuted, scaled, FIR-filtered, leaky (other sources) and noisy.
"""
import itertools, json, os
import numpy as np, scipy.signal, scipy.io.wavfile
import mir_eval

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)
EPS = 1e-8


def si_snr(est, ref):
    est = est - est.mean()
    ref = ref - ref.mean()
    proj = np.dot(est, ref) / (np.dot(ref, ref) + EPS) * ref
    noise = est - proj
    return 10 * np.log10(np.dot(proj, proj) / (np.dot(noise, noise) + EPS) + EPS)


def speech_like(n, sr=8000):
    """A few harmonics of a wandering pitch, amplitude-modulated like syllables, plus coloured noise."""
    t = np.arange(n) / sr
    f0 = rng.uniform(90, 220) * (1 + 0.1 * np.sin(2 * np.pi * rng.uniform(0.5, 2) * t))
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voiced = sum(rng.uniform(0.2, 1) / k * np.sin(k * phase + rng.uniform(0, 6)) for k in range(1, 8))
    envelope = np.maximum(0, np.sin(2 * np.pi * rng.uniform(2, 5) * t + rng.uniform(0, 6))) ** 2
    noise = scipy.signal.lfilter([1], [1, -0.9], rng.standard_normal(n)) * 0.05
    return 0.3 * voiced * envelope + noise


def estimates(refs, perm, gains, leak, noise, taps):
    """est[perm[j]] = gain * filter(ref_j) + leak * other refs + noise."""
    nsrc, n = refs.shape
    ests = np.zeros_like(refs)
    for j in range(nsrc):
        target = scipy.signal.lfilter(taps[j], [1], refs[j]) if taps is not None else refs[j]
        others = refs.sum(axis=0) - refs[j]
        ests[perm[j]] = gains[j] * target + leak * others + noise * refs[j].std() * rng.standard_normal(n)
    return ests


sr_speech, speech = scipy.io.wavfile.read(os.path.join(here, "../dsp/speech.wav"))
speech = speech.astype(np.float64) / 32768

cases = {
    "noise2": (rng.standard_normal((2, 4000)) * np.array([[1.0], [0.5]]),
               dict(perm=[1, 0], gains=[0.7, 2.0], leak=0.1, noise=0.05, taps=None)),
    "speechlike2": (np.stack([speech_like(8000), speech_like(8000)]),
                    dict(perm=[0, 1], gains=[1.3, 0.6], leak=0.15, noise=0.02,
                         taps=[[1, 0.5, -0.2], [0.8, 0, 0, 0.3]])),
    "speech2": (np.stack([speech[:8000], speech[12000:20000]]),
                dict(perm=[1, 0], gains=[1.0, 1.0], leak=0.3, noise=0.01,
                     taps=[scipy.signal.firwin(31, 0.6), [1, -0.4]])),
    "noise3": (rng.standard_normal((3, 4000)),
               dict(perm=[2, 0, 1], gains=[1.0, 0.5, 3.0], leak=0.2, noise=0.1, taps=None)),
    "speechlike3": (np.stack([speech_like(6000) for _ in range(3)]),
                    dict(perm=[1, 2, 0], gains=[0.9, 1.1, 0.4], leak=0.05, noise=0.03,
                         taps=[[1], [1, 0.3], [0.5, 0.5]])),
}

expected = {}
for name, (refs, spec) in cases.items():
    refs = refs.astype(np.float32)
    ests = estimates(refs.astype(np.float64), **spec).astype(np.float32)
    mix = (refs.sum(axis=0) + 0.01 * rng.standard_normal(refs.shape[1])).astype(np.float32)
    for suffix, a in (("refs", refs), ("ests", ests), ("mix", mix)):
        np.save(os.path.join(here, f"{name}_{suffix}.npy"), np.ascontiguousarray(a, dtype=np.float32))
    r, e, m = refs.astype(np.float64), ests.astype(np.float64), mix.astype(np.float64)
    nsrc = r.shape[0]
    sdr, sir, sar, perm = mir_eval.separation.bss_eval_sources(r, e)
    isdr, isir, isar, _ = mir_eval.separation.bss_eval_sources(r, np.stack([m] * nsrc), compute_permutation=False)
    pairwise = [[si_snr(e[i], r[j]) for j in range(nsrc)] for i in range(nsrc)]
    best = max(itertools.permutations(range(nsrc)), key=lambda p: np.mean([pairwise[p[j]][j] for j in range(nsrc)]))
    expected[name] = dict(
        sdr=sdr.tolist(), sir=sir.tolist(), sar=sar.tolist(), perm=perm.tolist(),
        input_sdr=isdr.tolist(), input_sir=isir.tolist(), input_sar=isar.tolist(),
        si_snr_pairwise=pairwise, pit_perm=list(best), pit_si_snr=[pairwise[best[j]][j] for j in range(nsrc)],
        input_si_snr=[si_snr(m, r[j]) for j in range(nsrc)])
    print(name, "perm", perm, "sdr", np.round(sdr, 3), "pit", best)

with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
