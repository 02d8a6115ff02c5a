from .chapters import LessonChapter
from .knowledge import KnowledgePoint, KnowledgePointPlacement
from .pages import (
    AttachmentKind,
    CatalogEntryPage,
    HomePage,
    LessonPage,
    ResourceAttachment,
    ResourcePage,
    ResourceTag,
    ResourceType,
    StagePage,
    SubjectPage,
)
from .quality import QualityPick, quality_flag
from .taxonomy import (
    District,
    Grade,
    School,
    Stage,
    Subject,
    Textbook,
    TextbookEdition,
    Unit,
)

__all__ = [
    "AttachmentKind",
    "CatalogEntryPage",
    "District",
    "Grade",
    "HomePage",
    "KnowledgePoint",
    "KnowledgePointPlacement",
    "LessonChapter",
    "LessonPage",
    "ResourceAttachment",
    "ResourcePage",
    "ResourceTag",
    "ResourceType",
    "School",
    "QualityPick",
    "Stage",
    "StagePage",
    "Subject",
    "SubjectPage",
    "Textbook",
    "TextbookEdition",
    "Unit",
    "quality_flag",
]
