"""Transport and framework for 红管家: web app, WeChat/WeCom gateways, dispatcher, CLI."""
