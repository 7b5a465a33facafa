import dataclasses

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from timeline.benchdata import BenchDataError, BenchOptions, generate_bench_data

DEFAULTS = BenchOptions()


def whole_number(value: str) -> int:
    """An integer, written plainly or with separators: 1000000, 1_000_000, 1,000,000."""
    return int(value.replace("_", "").replace(",", ""))


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic dataset for benchmarks: events with citations, "
        "sources with archived texts, timelines, actors, places and tags. Every row's slug "
        "starts with “bench-”; bench rows have no history. Refuses to run when bench data "
        "exists, unless --replace is given."
    )

    def add_arguments(self, parser):
        def number(name: str, text: str) -> None:
            default = getattr(DEFAULTS, name.replace("-", "_"))
            parser.add_argument(
                f"--{name}",
                type=whole_number,
                default=default,
                metavar="N",
                help=f"{text} (default {default:,}).",
            )

        number("events", "Events to generate")
        number("sources", "Sources (archived articles, 2–6 KB of text each)")
        number("citations-per-event", "Citations of each event, each from a different source")
        number("timelines", "Timelines; the first three hold 1,000, 2,000 and 5,000 events")
        number("actors", "Actors (people, organisations, countries)")
        number("tags", "Tags")
        number("places", "Places")
        number("seed", "Random seed: the same seed and options give the same rows")
        number("batch-size", "Events per batch, and rows per INSERT or COPY")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the existing bench data first (only rows whose slug starts “bench-”).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show progress bars.")

    def handle(self, *args, replace, no_progress, **options):
        bench_options = BenchOptions(
            **{field.name: options[field.name] for field in dataclasses.fields(BenchOptions)}
        )

        def progress(description: str, total: int):
            # Written to the stream OutputWrapper wraps, as import_sources does: the
            # wrapper ends every write with a newline, which would break the redrawing.
            return tqdm(
                total=total,
                desc=description,
                unit=description.removesuffix("s"),
                unit_scale=True,
                file=self.stderr._out,
                disable=True if no_progress else None,
                leave=False,
                dynamic_ncols=True,
            )

        try:
            report = generate_bench_data(bench_options, replace=replace, progress=progress)
        except BenchDataError as exc:
            raise CommandError(str(exc)) from None
        if report.replaced:
            deleted = ", ".join(f"{n:,} {name}" for name, n in report.replaced.items() if n)
            self.stdout.write(f"Deleted the previous bench data: {deleted or 'nothing'}.")
        width = max(len(name) for name in report.counts) if report.counts else 0
        for name, n in report.counts.items():
            self.stdout.write(f"  {name:<{width}}  {n:>12,}")
        steps = ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items() if name != "total"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated bench data (seed {bench_options.seed}) in "
                f"{report.seconds['total']:.1f} s ({steps})."
            )
        )
