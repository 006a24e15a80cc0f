module.exports = require('./global-temp-dir').teardown;
