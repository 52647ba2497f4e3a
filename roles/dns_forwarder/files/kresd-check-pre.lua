-- allowlist.egress.dns_forwarder: loaded before kresd.conf when the role checks it. A check must not take the
-- live server's addresses: listening becomes a no-op (the configuration's own calls are still evaluated).
net.listen = function() end
