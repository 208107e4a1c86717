from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "vertebra.sharing"
    label = "sharing"
    verbose_name = "Sharing"

    def ready(self) -> None:
        from vertebra.assessments.domain import assessment_finalized
        from vertebra.sharing import benchmark

        # A finalization counts in the benchmark in its own transaction (benchmark.py).
        assessment_finalized.connect(benchmark.on_finalized, dispatch_uid="sharing-benchmark")
