// The ceiling: a bare node:http server that reads the body and answers 200, nothing else.
import { createServer } from 'node:http';

createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.statusCode = 200;
    res.end('');
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
