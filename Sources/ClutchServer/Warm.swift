import Hummingbird; import Prometheus; import Yams; import Metrics; import ClutchStore
