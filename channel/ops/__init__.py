"""Operations: health checks, Prometheus metrics and structured logs."""

__all__: list[str] = []
