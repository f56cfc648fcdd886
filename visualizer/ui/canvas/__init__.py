"""The animated topology: client lanes, balancer, server cards, store and request dots."""
