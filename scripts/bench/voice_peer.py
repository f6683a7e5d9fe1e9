"""The voice's peer benchmark (scripts/bench-voice-peer runs it): the kiosk's Piper synthesis
against Piper's own CLI and Python package (PyPI piper-tts), same voice, same text, same length
scale, in turn (A B A B ...), and the medians with the ratio kiosk / peer (under 1: the kiosk is
faster).

Whole process: `kiosk say TEXT --out F.wav` against `piper -m MODEL -f F.wav` (text on stdin),
wall time and peak resident memory of the child (wait4). In process: the kiosk's `piper_timing`
example against piper_peer_timing.py: voice load, first run after loading (time to first audio,
total) and a warm run.

Standard library only: run by the system's python3.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

LONG = ("Bonjour, je suis la borne de votre commune. Je vais vous poser quelques questions, "
        "une à la fois. Vous pouvez répondre en parlant, ou en touchant l'écran.")
SHORT = "Oui."


def timed(argv, stdin_text=None, env=None):
    """Runs a child to its end: (wall seconds, its own peak resident MiB from wait4(), stdout)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
    if stdin_text is not None:
        child.stdin.write(stdin_text.encode())
    child.stdin.close()
    out = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{argv[0]} failed ({code}): {err.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0, out.decode()


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosk", required=True, help="the kiosk binary (release build)")
    parser.add_argument("--timing", required=True, help="kiosk-voice's piper_timing example")
    parser.add_argument("--venv", required=True, help="the venv holding piper-tts")
    parser.add_argument("--model", required=True, help="the Piper voice's .onnx")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    voice = os.path.basename(args.model).removesuffix(".onnx")
    peer_bin = os.path.join(args.venv, "bin", "piper")
    peer_python = os.path.join(args.venv, "bin", "python")
    peer_timing = os.path.join(os.path.dirname(os.path.abspath(__file__)), "piper_peer_timing.py")
    work = tempfile.mkdtemp(prefix="kiosk-voice-peer-")
    config = os.path.join(work, "kiosk.toml")
    # 175 words a minute is the kiosk's length scale 1.0, the voice's own (the peer's default).
    with open(config, "w") as f:
        f.write(f'[voice]\npiper_voice = "{voice}"\nfallback_language = "en"\n'
                "words_per_minute = 175\n")
    env = dict(os.environ, RUST_LOG="warn")

    def kiosk_say(text):
        return timed([args.kiosk, "say", "--config", config, "--data-dir", work,
                                  "--out", os.path.join(work, "kiosk.wav"), text], env=env)

    def peer_say(text):
        return timed([peer_bin, "-m", args.model, "-f",
                                  os.path.join(work, "peer.wav")], stdin_text=text, env=env)

    def kiosk_in_process():
        # The voice's optimized graph in the work folder, as `kiosk run` keeps it in its data.
        return timed([args.timing, args.model, "175", LONG,
                                  os.path.join(work, "voice-optimized")], env=env)

    def peer_in_process():
        return timed([peer_python, peer_timing, args.model, "1.0", LONG], env=env)

    results = {}  # (measure, side) -> list of values

    def note(measure, side, value):
        results.setdefault((measure, side), []).append(value)

    # One warm-up of each, uncounted (page cache, the peer's bytecode, the kiosk's optimized
    # graph saved in the work folder: a kiosk saves it at its first start).
    kiosk_say(SHORT), peer_say(SHORT), kiosk_in_process(), peer_in_process()
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}/{args.rounds}", file=sys.stderr)
        for side, say, in_process in (("kiosk", kiosk_say, kiosk_in_process),
                                      ("peer", peer_say, peer_in_process)):
            wall, rss, _ = say(LONG)
            note("whole process, long sentence (s)", side, wall)
            note("whole process, long sentence, peak memory (MiB)", side, rss)
            wall, _, _ = say(SHORT)
            note("whole process, \"Oui.\" (s)", side, wall)
            _, rss, out = in_process()
            timing = json.loads(out.strip().splitlines()[-1])
            note("in process: voice load (s)", side, timing["load"])
            note("in process: first synthesis, time to first audio (s)", side,
                 timing["first_audio_cold"])
            note("in process: first synthesis, whole text (s)", side, timing["total_cold"])
            note("in process: warm, time to first audio (s)", side, timing["first_audio_warm"])
            note("in process: warm, whole text (s)", side, timing["total_warm"])
            note("audio of the long sentence (s)", side, timing["audio"])

    print(f"\nvoice {voice}, {args.rounds} rounds in turn (A B A B), medians; "
          f"ratio = kiosk / peer (under 1: the kiosk is faster or smaller)")
    print(f"long sentence: {LONG}\n")
    measures = []
    for measure, _ in results:
        if measure not in measures:
            measures.append(measure)
    width = max(len(m) for m in measures)
    print(f"{'':{width}}  {'kiosk':>9}  {'peer':>9}  {'ratio':>6}")
    for measure in measures:
        kiosk = median(results[(measure, "kiosk")])
        peer = median(results[(measure, "peer")])
        ratio = kiosk / peer if peer else float("nan")
        print(f"{measure:{width}}  {kiosk:9.3f}  {peer:9.3f}  {ratio:6.2f}")
    print("\nall runs:", json.dumps({f"{m} [{s}]": [round(v, 4) for v in vs]
                                    for (m, s), vs in results.items()}))


if __name__ == "__main__":
    main()
