"""Render: `Dossier` + the Word templates → `RenderedDocument`s (name and .docx bytes).

In: the merged model and the templates folder. Out: the 工作专报 (with its 拟文稿 form), one
合作交流项目表 per region and the 会议材料 that carries them as attachments, rendered by
docxtpl in a Jinja sandbox, bytes that depend only on the inputs. A broken template raises `TemplateProblem` naming the template and the tag.
Nothing is written to disk here.
"""

from .documents import (
    MEETING_TEMPLATE,
    REPORT_TEMPLATE,
    TABLE_TEMPLATE,
    RenderedDocument,
    render_documents,
    templates_needed,
)
from .docx_template import PACKAGED_TEMPLATES

__all__ = [
    "MEETING_TEMPLATE",
    "PACKAGED_TEMPLATES",
    "REPORT_TEMPLATE",
    "TABLE_TEMPLATE",
    "RenderedDocument",
    "render_documents",
    "templates_needed",
]
