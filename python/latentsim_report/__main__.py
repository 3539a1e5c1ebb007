"""Command line of the report module: checks its packages first, then builds the page."""
import argparse
import importlib
import json
import sys

from . import EXIT_NO_INPUT, EXIT_UNAVAILABLE, REQUIRED


def missing_packages():
    missing = []
    for name in REQUIRED:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m latentsim_report",
                                     description="Write RUN's HTML report to DIR/report/index.html.")
    parser.add_argument("run", help="output directory of `latentsim pipeline` (evaluation.json, ensemble/, generated/)")
    parser.add_argument("--out", help="directory that receives report/ (default: RUN)")
    parser.add_argument("--study", help="directory holding augment.json / latent.json of `latentsim study` "
                                         "(default: RUN/study when it exists)")
    parser.add_argument("--roles", default="{}",
                        help="JSON object role → column (e.g. {\"mu1_E\": \"E1\"}) the derived quantities are computed "
                             "under, as `latentsim report` resolves it from --config/--roles or RUN/ensemble/config.toml; "
                             "roles not named are played by the columns named like them")
    args = parser.parse_args(argv)
    try:
        roles = json.loads(args.roles)
    except json.JSONDecodeError as error:
        roles = error
    if not isinstance(roles, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in roles.items()):
        parser.error(f"--roles expects a JSON object of role → column names, found {args.roles!r}")
    missing = missing_packages()
    if missing:
        print(f"error: the report needs the Python packages {', '.join(REQUIRED)}; {sys.executable} lacks "
              f"{', '.join(missing)}; install them with `bash scripts/setup.sh` (or `{sys.executable} -m pip install "
              f"{' '.join(missing)}`, or set LATENTSIM_PYTHON to an interpreter that has them)",
              file=sys.stderr)
        return EXIT_UNAVAILABLE
    from .build import build, ReportInputError
    try:
        path, seconds = build(args.run, args.out or args.run, args.study, roles)
    except ReportInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_NO_INPUT
    print(f"wrote {path} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
