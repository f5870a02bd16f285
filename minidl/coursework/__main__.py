"""Command line: ``python -m minidl.coursework {list, make, solve}`` (see __init__.py)."""
import argparse
import sys

from .assignment import make, solve
from .tasks import TASKS


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m minidl.coursework", description="Generate minidl assignments.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the layers an assignment can ask for")
    make_parser = commands.add_parser("make", help="write an assignment folder")
    make_parser.add_argument("--layers", required=True, help=f"comma-separated, from: {', '.join(TASKS)}")
    make_parser.add_argument("out", metavar="OUT", help="a new (or empty) folder")
    solve_parser = commands.add_parser("solve", help="restore the reference solutions in an assignment folder")
    solve_parser.add_argument("out", metavar="OUT")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            for name, task in TASKS.items():
                print(f"{name:<22} {task.summary}")
        elif args.command == "make":
            out = make([layer.strip() for layer in args.layers.split(",") if layer.strip()], args.out)
            print(f"wrote {out}/ — students run: cd {out} && pytest -m LAYER   (see {out}/README.md)")
        else:
            layers = solve(args.out)
            print(f"restored the reference solutions of {', '.join(layers)} in {args.out}")
    except (ValueError, FileExistsError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
