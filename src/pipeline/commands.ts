// The commands live one handler per command in ./commands/, each next to its rule.
export { COMMANDS, handleCommand } from './commands/index';
