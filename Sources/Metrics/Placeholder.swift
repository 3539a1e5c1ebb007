enum MetricsPlaceholder {}
