"""Build the office's 工作专报 and 合作交流项目表 from the departments' Excel workbooks."""

__version__ = "0.1.0"
