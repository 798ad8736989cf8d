"""Grid events (网格事件, Art. 17, 30): built by the events issue."""
