"""The load balancer and its routing strategies."""
