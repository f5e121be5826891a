// Fails the way a broken install would: a reason on stderr, no port.
process.stderr.write('Error: Cannot find module \'dynalite\'\n');
process.exit(1);
