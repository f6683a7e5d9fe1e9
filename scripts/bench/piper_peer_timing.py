"""In-process timing of the peer, Piper's own Python package (piper-tts), for
scripts/bench-voice-peer: loads the voice, then synthesizes one text twice (the first run after
loading, then warm), and prints one JSON line with seconds, the same fields as the kiosk's
`piper_timing` example: load, first_audio_cold, total_cold, first_audio_warm, total_warm, audio.

Run with the benchmark's venv: python piper_peer_timing.py MODEL.onnx LENGTH_SCALE TEXT
"""

import json
import sys
import time

from piper import PiperVoice, SynthesisConfig


def run(voice, text, config):
    started = time.perf_counter()
    first = None
    seconds = 0.0
    # synthesize() yields one chunk per sentence, as soon as that sentence is synthesized.
    for chunk in voice.synthesize(text, syn_config=config):
        if first is None:
            first = time.perf_counter() - started
        seconds += len(chunk.audio_float_array) / chunk.sample_rate
    return first, time.perf_counter() - started, seconds


def main():
    model, length_scale, text = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    started = time.perf_counter()
    voice = PiperVoice.load(model)
    load = time.perf_counter() - started
    config = SynthesisConfig(length_scale=length_scale)
    first_cold, total_cold, _ = run(voice, text, config)
    first_warm, total_warm, audio = run(voice, text, config)
    print(json.dumps({
        "load": load,
        "first_audio_cold": first_cold,
        "total_cold": total_cold,
        "first_audio_warm": first_warm,
        "total_warm": total_warm,
        "audio": audio,
    }))


if __name__ == "__main__":
    main()
