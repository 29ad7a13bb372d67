exports.handler = async () => "hello from node";
