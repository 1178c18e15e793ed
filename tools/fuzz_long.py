"""Run a long fuzzing campaign by hand (the CI runs a bounded one in tests/test_fuzz.py).

Usage::

    python tools/fuzz_long.py --cases 50000 --seed 7 --keep /tmp/nixkit-fuzz-failures

Seeds are ``tests/data/fuzz_seed.nix`` and every real NIX file in
``../shared/testdata/realfiles``. Each crashing, hanging or failing case is written to
``--keep`` (re-created from its seed file, case number and campaign seed) so it can be
replayed with ``python -c "import fuzzing; print(fuzzing.walk('FILE').bad)"`` from tests/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import fuzzing  # noqa: E402 - the engine lives beside the tests that use it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20000, help="number of corrupted files to try")
    parser.add_argument("--seed", type=int, default=1, help="campaign seed (cases are reproducible from it)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds without progress that count as a hang")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the files of failing cases")
    args = parser.parse_args()
    seeds = [ROOT / "tests" / "data" / "fuzz_seed.nix"]
    realfiles = ROOT.parent / "shared" / "testdata" / "realfiles"
    seeds += sorted(p for p in realfiles.rglob("*") if p.suffix in (".nix", ".h5"))
    result = fuzzing.run_campaign(seeds, args.cases, args.seed, args.workers, args.timeout, keep=args.keep)
    print(result.summary())
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "failures.json").write_text(json.dumps(result.failures, indent=1))
    sys.exit(1 if any(result.outcomes[o] for o in ("crash", "hang", "bad")) else 0)


if __name__ == "__main__":
    main()
