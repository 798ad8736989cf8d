"""`manage.py verify_tree`: check the area tree's integrity; exit status 1 if it is broken."""

from django.core.management.base import BaseCommand, CommandError

from grids.verify import tree_problems


class Command(BaseCommand):
    help = "Check MPTT numbers against parent links, levels, code prefixes and statuses; exit 1 naming broken nodes."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="how many problems to print at most")

    def handle(self, *args, limit: int, **options):
        nodes, problems = tree_problems()
        if problems:
            for code, problem in problems[:limit]:
                self.stderr.write(f"{code}: {problem}")
            more = f" (first {limit} shown)" if len(problems) > limit else ""
            raise CommandError(f"the tree is broken: {len(problems)} problems in {nodes} nodes{more}")
        self.stdout.write(self.style.SUCCESS(f"tree ok: {nodes} nodes"))
