"""``brainbench leaderboard build|serve``: the static leaderboard site from result files."""
from __future__ import annotations

import functools
import http.server
import sys
from pathlib import Path

from ..errors import BrainbenchError
from . import tcp_port


def register(sub) -> None:
    p = sub.add_parser("leaderboard", help="build (or serve) the static leaderboard site from result files")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="write the site (index.html, app.js, style.css, data.js, data.json)")
    build.add_argument("--results", action="append", metavar="DIR",
                       help="folder of result JSON files (repeatable; default ./results if it exists), read after the built-in "
                            "leaderboard/results/; a later file for the same model adds or replaces benchmarks")
    build.add_argument("--no-builtin", action="store_true", help="leave out the built-in results in leaderboard/results/")
    build.add_argument("--out", default="site", help="output folder (default: ./site)")
    build.add_argument("--strict", action="store_true",
                       help="exit with status 1 if any result file has a problem (a skipped file, an invalid score, a refused name); "
                            "the site is still written, with the problems listed on it")
    build.set_defaults(func=run_build)
    serve = actions.add_parser("serve", help="serve a built site on 127.0.0.1 for a quick look")
    serve.add_argument("--dir", default="site", help="the built site (default: ./site; built from the built-in results if missing)")
    serve.add_argument("--port", type=tcp_port, default=8000, help="port (default 8000; 0 picks a free one)")
    serve.set_defaults(func=run_serve)


def run_build(args) -> int:
    from ..leaderboard import build_site

    results = args.results
    if results is None and Path("results").is_dir():
        # `brainbench score` writes to ./results by default: score, then build, and the new model is there
        results = ["results"]
        print("reading ./results (the default output of `brainbench score`) after the built-in results")
    out, data = build_site(results, args.out, include_builtin=not args.no_builtin)
    report(data)
    print(f"site written to {out}/ — open {out / 'index.html'} or run `brainbench leaderboard serve --dir {out}`")
    if args.strict and data["problems"]:
        files = len({p["path"] for p in data["problems"]})
        print(f"brainbench: --strict: {len(data['problems'])} problem(s) in {files} result file(s); fix or remove them", file=sys.stderr)
        return 1
    return 0


def report(data: dict, file=None) -> None:
    file = file or sys.stdout  # looked up per call: a default bound at import would outlive a redirected stdout
    models, benchmarks = data["models"], data["benchmarks"]
    cells = [c for m in models for c in m["cells"] if c]
    scored = sum(c[0] == "scored" for c in cells)
    invalid = sum(c[0] == "invalid" for c in cells)
    print(f"{len(models)} models, {len(benchmarks)} benchmarks, {scored} scores" + (f", {invalid} invalid" if invalid else ""), file=file)
    for modality, board in sorted((data.get("rankings") or {}).items(), key=lambda kv: (kv[0] != "vision", kv[0])):
        tied = sum(bool(m["rank"]["tied_with_next"]) for m in models if m["modality"] == modality)
        print(f"{modality}: {board['n_ranked']} of {board['n_models']} models ranked by {board['by']}" + (f", {tied} tied with the next" if tied else ""), file=file)
    for p in data["problems"]:
        print(f"{p['path']}: {p['problem']} [{p['outcome']}]", file=sys.stderr)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # one line per request is noise for a local preview
        pass


def make_server(directory: str | Path, port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A static file server bound to 127.0.0.1 only (never exposed on the network)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise BrainbenchError(f"cannot serve on 127.0.0.1:{port} ({exc.strerror}); pass --port N or --port 0 for a free one") from exc


def run_serve(args) -> int:
    site = Path(args.dir)
    if not (site / "index.html").is_file() or not (site / "data.js").is_file():
        from ..leaderboard import build_site

        print(f"{site} holds no built site; building it from the built-in results first")
        _, data = build_site(None, site, option="--dir")
        report(data)
    server = make_server(site, args.port)
    host, port = server.server_address[:2]
    print(f"serving {site.resolve()} at http://{host}:{port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
