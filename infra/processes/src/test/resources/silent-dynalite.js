// Never prints a port, to exercise the start-up timeout.
process.stderr.write('still loading...\n');
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
