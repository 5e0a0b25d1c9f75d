#!/usr/bin/env node
import { main } from '../src/cli/main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: Error) => {
    console.error(`atrium: ${error.message}`);
    process.exit(1);
  },
);
